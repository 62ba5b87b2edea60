"""A form opened and saved untouched changes nothing (DESIGN.md): send a page's form back as a
browser sends it untouched, and check that no column of the rows it edits moved (``updated_at``
included) and that nobody was told anything (no notification, email or timeline event)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core import mail
from django.db import models
from django.test import TestCase

from tandem.mentorships.models import MentorshipEvent
from tandem.notify.models import Notification
from tests.crawl.html import parse_page


def untouched_data(client: Any, page_url: str, action: str) -> dict[str, list[str]]:
    """What a browser sends from the form of ``page_url`` whose action ends with ``action``
    when it is submitted untouched (CRLF line breaks in textareas, every selected option, the
    first button), as ``{name: [values]}``."""
    return form_data(page_url, client.get(page_url).content.decode(), action)


def form_data(page_url: str, html: str, action: str) -> dict[str, list[str]]:
    """``untouched_data`` of a page already fetched (``html``), such as a form shown again
    with its errors."""
    page = parse_page("http://testserver" + page_url, html)
    form = next(f for f in page.forms if f.action.endswith(action))
    data: dict[str, list[str]] = {}
    for name, value in form.data(form.submitters[0] if form.submitters else None):
        data.setdefault(name, []).append(value)
    return data


def submit_untouched(client: Any, page_url: str, action: str) -> Any:
    """Post ``untouched_data`` to ``action``, following redirects."""
    return client.post(action, untouched_data(client, page_url, action), follow=True)


def row_of(instance: models.Model) -> dict[str, Any]:
    """Every stored column of ``instance``'s row, read from the database."""
    return type(instance)._default_manager.filter(pk=instance.pk).values().get()


def _told() -> tuple[int, int, int]:
    return Notification.objects.count(), MentorshipEvent.objects.count(), len(mail.outbox)


@contextmanager
def nothing_changes(*instances: models.Model) -> Iterator[None]:
    """Assert that the block leaves every column of the rows of ``instances`` as it was and
    creates no notification, email or mentorship event (callbacks on commit run in it, so an
    email sent after commit counts)."""
    rows = [row_of(instance) for instance in instances]
    told = _told()
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield
    for instance, before in zip(instances, rows, strict=True):
        after = row_of(instance)
        moved = {
            name: (value, after[name]) for name, value in before.items() if after[name] != value
        }
        assert not moved, f"{instance!r} changed (before, after): {moved}"
    assert _told() == told, f"(notifications, events, emails) were {told}, now {_told()}"
