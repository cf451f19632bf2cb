"""The Flex Template's entry point (FLEX_TEMPLATE_PYTHON_PY_FILE in the Dockerfile beside it):
``wire-ingest run`` with the template's parameters (``pipeline.flex_template``)."""

import sys

from pipeline.flex_template import main

sys.exit(main())
