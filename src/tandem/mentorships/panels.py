"""Sections that apps above this one add to the mentorship page: relationship health, the
check-ins waiting, guidance for the pair's stage. Those apps sit above ``mentorships`` in the
import order, so each hands its provider over in ``AppConfig.ready`` (as ``pair_facts`` takes
the match reasons); this module never imports them.

A provider gets the mentorship, who is looking (``Viewer``: one of the pair, or an admin who
reads only status, dates, counts and health) and the user, and returns a ``Panel`` to show or
None. Each provider checks for itself what this viewer may read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tandem.mentorships.models import Mentorship
from tandem.mentorships.selectors import Viewer
from tandem.people.models import User

Place = Literal["main", "aside"]


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # "main" sections come first in the page's main column (and first on a phone);
    # "aside" ones sit in the side column.
    place: Place = "main"


PanelProvider = Callable[[Mentorship, Viewer, User], Panel | None]

_PROVIDERS: dict[str, tuple[int, PanelProvider]] = {}


def register_panel(name: str, provider: PanelProvider, *, order: int = 50) -> None:
    """Add (or, under the same name, replace) a section of the mentorship page; lower
    ``order`` comes first."""
    _PROVIDERS[name] = (order, provider)


def panels_for(mentorship: Mentorship, viewer: Viewer, user: User) -> dict[Place, list[Panel]]:
    """The sections this viewer sees, grouped by where they go on the page."""
    placed: dict[Place, list[Panel]] = {"main": [], "aside": []}
    for _order, provider in sorted(_PROVIDERS.values(), key=lambda entry: entry[0]):
        panel = provider(mentorship, viewer, user)
        if panel is not None:
            placed[panel.place].append(panel)
    return placed
