"""Write stage: Avro files under ``OUTPUT/stories/`` and ``OUTPUT/dead_letter/`` with the
schemas in ``schemas/`` (the contract), written atomically, and the run summary."""
