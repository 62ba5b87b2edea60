"""The pages a person lands on after signing in."""

from tandem.web.views.participant import dashboard

__all__ = ["dashboard"]
