"""Google's storage emulators on loopback: no credentials to look for.

Beam's ``gs://`` filesystem asks google.auth for the default credentials before its first
request, and where there are none it asks four times more, waiting 2, 4, 8 and 16 s, before it
connects anonymously: about 30 s in every process that touches a bucket (the command and each
worker). An emulator needs no credentials. Where ``STORAGE_EMULATOR_HOST`` is set (the
variable google-cloud-storage itself reads for an emulator), Beam is told at once that there
are none, in every process that imports this package; without it nothing changes, and
nothing is imported (Beam's auth module alone takes seconds to import).
"""

from __future__ import annotations

import os


def skip_credentials_for_storage_emulator() -> None:
    if not os.environ.get("STORAGE_EMULATOR_HOST"):
        return
    try:
        from apache_beam.internal.gcp import auth
    except ImportError:  # Beam without its gcp extra has no gs:// filesystem either
        return
    # Beam's cache of what it found, a private class: tests/inputs/test_gcs.py fails on a Beam
    # that renames it, by looking for Beam's warning that it found nothing.
    with auth._Credentials._credentials_lock:
        auth._Credentials._credentials = None
        auth._Credentials._credentials_init = True
