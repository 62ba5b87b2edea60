"""In a browser: a refused small form keeps what was typed and says what to change on the field,
focused; the agenda form (htmx) is swapped for itself with the error, the page around it kept."""

import pytest

from tandem.mentorships.services.work import DATE_PASSED
from tests.mentorships.factories import meeting, mentorship

PASSWORD = "journey-pass-5527"
TYPED = "Send Mira the outline with three questions"


def log_in(page, user) -> None:
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    page.goto("/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_refused_forms_keep_the_typing(page, live_server):
    m = mentorship()
    mt = meeting(m)
    log_in(page, m.mentee)

    page.goto(f"/mentorships/{m.pk}/")
    page.click("#action-items summary")
    page.fill("#action-items input[name=description]", TYPED)
    page.fill("#action-items input[name=due_on]", "2020-01-01")
    page.click("#action-items button[type=submit]")
    page.wait_for_selector(f"#action-items .error >> text={DATE_PASSED}")
    assert page.input_value("#action-items input[name=description]") == TYPED
    assert focused(page) == "due_on"

    page.click("#goals summary >> text=Add a goal")
    page.fill("#goals input[name=measure]", TYPED)
    page.fill("#goals input[name=title]", " ")
    page.click("#goals button >> text=Add goal")
    page.wait_for_selector("#goals .error >> text=This field is required.")
    assert page.input_value("#goals input[name=measure]") == TYPED
    assert focused(page) == "title"

    page.goto(f"/mentorships/meetings/{mt.pk}/")
    page.fill("#agenda input[name=text]", "   ")
    page.press("#agenda input[name=text]", "Enter")
    page.wait_for_selector("#agenda .error >> text=This field is required.")
    assert page.is_visible("#agenda-empty")  # nothing was added, nothing removed
    assert page.url.endswith(f"/mentorships/meetings/{mt.pk}/")
    # The form swapped in still posts with htmx: corrected, the item is added in place.
    page.fill("#agenda input[name=text]", "Feedback on my abstract")
    page.press("#agenda input[name=text]", "Enter")
    page.wait_for_selector("#agenda-list >> text=Feedback on my abstract")
    assert page.input_value("#agenda input[name=text]") == ""
    assert not page.is_visible("#agenda .error")
