"""In a browser, with the keyboard: a button that swaps its own item in place (an action item
ticked off, a notification marked read) leaves focus on the new item's button, whose name says
the new state, instead of dropping it to the top of the page (accessibility review: after
"Mark done" the next Tab started again at "Skip to content")."""

import pytest

from tandem.notify.models import Notification
from tests.e2e.test_forms_shown_again_journey import log_in
from tests.mentorships.factories import action_item, mentorship

FOCUSED = "document.activeElement.textContent.trim()"


def focused_once_settled(page) -> str:
    """The focused element's text once htmx settled (wait_for_function evaluates a string,
    which the page's CSP forbids)."""
    for _ in range(20):
        page.wait_for_timeout(100)
        text = page.evaluate(FOCUSED)
        if text.startswith(("Reopen", "Open")):
            break
    return text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_focus_stays_on_the_item_a_button_swapped(page, live_server):
    m = mentorship()
    item = action_item(m, description="Send the outline")
    Notification.objects.create(recipient=m.mentee, kind="test", title="Read me", url="/")
    log_in(page, m.mentee)

    page.goto(f"/mentorships/{m.pk}/")
    page.focus(f"#action-item-{item.pk} button")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#action-item-{item.pk} .badge >> text=Done")
    assert focused_once_settled(page) == "Reopen: Send the outline"

    page.goto("/notifications/")
    page.focus("button:has-text('Mark read')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notification:not(.unread)")
    assert focused_once_settled(page) == "Open: Read me"
