"""Cluster stage: near-duplicate clusters across the stories of the output."""
