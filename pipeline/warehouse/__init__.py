"""Loading an output's Avro files into a warehouse (``wire-ingest load``, ``--load-to``)."""
