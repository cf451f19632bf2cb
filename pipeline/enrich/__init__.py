"""Enrich stage: spaCy over each clean body, batched with ``nlp.pipe`` through Beam's
RunInference (one model per worker process), turned into plain values with character
offsets into ``Story.body``."""
