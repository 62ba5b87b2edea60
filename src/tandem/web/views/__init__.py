"""The pages a person lands on after signing in: the admin home for those who run programs,
the participant dashboard for everyone else (and at ``me/`` for admins too)."""

from tandem.web.views.admin_home import admin_home_approve, home
from tandem.web.views.participant import dashboard

__all__ = ["admin_home_approve", "dashboard", "home"]
