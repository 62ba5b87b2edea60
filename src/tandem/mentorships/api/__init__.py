"""Mentorships API (mounted at ``/api/mentorships/``): requests, mentorships, agreement
versions, goals, meetings (with ``.ics``), action items, ending, calendar feed, problem reports
(read by their reporter and the program's admins only), declared pauses; one sub-router
per sub-domain, mounted in the order that keeps the literal paths (``/requests``,
``/calendar-feed``, ``/programs/...``) ahead of ``/{mentorship_id}``.

Participants may do everything on their mentorship. Active program admins read only the
mentorship itself (state, dates, how it ended and why); the pair's content (agreement
versions, goals, meetings, agenda, notes, action items, closing reflection) is 404 for them, as
for anyone else. Errors are ``{"detail": ..., "fields": {field: message}}`` with
400/403/404/409, and 422 for a body that does not fit its schema (a date-time without a UTC
offset, a date outside 1900-2100, a number out of range).

Operation ids are spelled out: clients generated from the schema depend on them, so they must
not follow the module layout.
"""

from ninja import Router

from tandem.mentorships.api import (
    action_items,
    agreement,
    feed,
    goals,
    lifecycle,
    meetings,
    mentorships,
    pauses,
    problems,
    requests,
)

router = Router(tags=["mentorships"])
for part in (
    requests,
    feed,
    problems,
    pauses,
    mentorships,
    agreement,
    lifecycle,
    goals,
    meetings,
    action_items,
):
    router.add_router("", part.router)
