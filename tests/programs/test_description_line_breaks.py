"""A program's description is kept as the edit page's box sends it back: LF line breaks, no
blanks around it (live crawl on PostgreSQL: the API stored "a\\r\\nb" as sent, and the edit
page saved untouched rewrote it to "a\\nb")."""

import pytest

from tandem.programs.services import program_update
from tests.programs.test_api import Api
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db


def test_the_service_stores_lf_line_breaks_without_surrounding_blanks(program, admin):
    program_update(user=admin, program_id=program.pk, description="  One\r\nTwo\rThree \n")
    program.refresh_from_db()
    assert program.description == "One\nTwo\nThree"


def test_a_description_sent_through_the_api_survives_the_edit_page_untouched(
    client, program, admin
):
    response = Api(client, admin).patch(program.slug, {"description": "First\r\n\r\nSecond "})
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "First\n\nSecond"
    client.force_login(admin)
    url = f"/programs/{program.slug}/edit/"
    program.refresh_from_db()
    with nothing_changes(program):
        response = submit_untouched(client, url, url)
    assert response.status_code == 200
