"""Startup checks of people: a text embedder that cannot be loaded is said at startup, not
found by the first page (which then runs on the built-in lexicon, ``services.vectors``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning

from tandem.people.services.vectors import embedder_problem


def text_embedder_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when ``TANDEM_TEXT_EMBEDDER`` names an embedder that cannot be loaded (weights not
    installed or changed, unknown name)."""
    name = settings.TANDEM_TEXT_EMBEDDER
    problem = embedder_problem(name) if name != "builtin" else ""
    if not problem:
        return []
    return [
        Warning(
            f"TANDEM_TEXT_EMBEDDER={name!r} cannot be loaded: {problem}",
            hint="Profiles are embedded with the built-in lexicon until it can be: install "
            "the weights (docs/matching.md) or set TANDEM_TEXT_EMBEDDER=builtin.",
            id="people.W001",
        )
    ]
