"""``python -m pipeline run ...``: the same as the ``wire-ingest`` command."""

import sys

from pipeline.cli import main

sys.exit(main())
