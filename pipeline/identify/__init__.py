"""Identify stage: give each story a stable id and content hash, and keep one story per id,
version and content, recording the other inputs that carried it."""
