"""Clean stage: cut boilerplate (captions, bylines, datelines, sign-offs, credits, trailers)
from a story's body with rules that are data (``configs/default.toml`` ``[clean]``), recording
every cut segment, its kind and the rule that cut it in ``Story.removed``."""
