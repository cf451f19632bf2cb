"""Read stage: match input files (local paths, globs, gs:// with the gcp extra) and turn each
into a ``RawItem`` holding its complete bytes, decompressed when gzip, within the size limit."""
