"""What every page of the app shares: the page size and how a domain error is shown."""

from __future__ import annotations

from tandem.core.web import friendly_errors

PAGE_SIZE = 20

mentorship_errors = friendly_errors(back="mentorship_list", template="mentorships/error.html")
