"""The Django set-up the page benchmarks share: Tandem's settings, DEBUG off, a throwaway
secret key (Tandem ships none), and no warning about the static folder a bench never builds."""

from __future__ import annotations

import os
import secrets
import warnings


def django_ready(**environ: str) -> None:
    """Set ``environ`` (``TANDEM_VAR_DIR``, limits ...) and the shared settings, then
    ``django.setup()``. Call it before importing anything of Tandem that needs Django."""
    os.environ.update(environ)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tandem.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
