"""Parse stage: one pure parser per input format, ``RawItem -> Story...``, chosen through the
``FORMATS`` registry by name or, with ``auto``, by looking at the content."""
