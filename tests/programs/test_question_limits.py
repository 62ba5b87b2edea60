"""A role's join questions are each asked once, at most ``MAX_QUESTIONS`` of them (live crawl
on PostgreSQL: a line pasted 3,000 times into the edit page's questions box made 3,000
questions with the same words; answers are kept by question, so the copies shared one)."""

import html

import pytest

from tandem.programs.models import EnrolmentQuestion
from tandem.programs.services.programs import MAX_QUESTIONS, QUESTION_TWICE, TOO_MANY_QUESTIONS
from tests.untouched import untouched_data

pytestmark = pytest.mark.django_db


def _edit(client, program, admin, questions: str):
    client.force_login(admin)
    url = f"/programs/{program.slug}/edit/"
    data = untouched_data(client, url, url)
    data["questions_mentor"] = [questions]
    return client.post(url, data)


@pytest.mark.parametrize(
    ("questions", "error"),
    [
        ("Why mentor? *\nWhy mentor? *", QUESTION_TWICE.format(prompt="Why mentor?")),
        ("q\n" * 3000, TOO_MANY_QUESTIONS),
        ("".join(f"Question {n}?\n" for n in range(MAX_QUESTIONS + 1)), TOO_MANY_QUESTIONS),
    ],
)
def test_the_edit_page_names_the_questions_box_and_keeps_the_questions(
    client, program, admin, questions, error
):
    EnrolmentQuestion.objects.create(program=program, role="mentor", prompt="Kept?", position=0)
    response = _edit(client, program, admin, questions)
    assert response.status_code == 200
    assert html.escape(error) in response.content.decode()
    assert list(program.questions.values_list("prompt", flat=True)) == ["Kept?"]


def test_as_many_different_questions_as_allowed_are_saved(client, program, admin):
    questions = "".join(f"Question {n}?\n" for n in range(MAX_QUESTIONS))
    assert _edit(client, program, admin, questions).status_code == 302
    assert program.questions.filter(role="mentor").count() == MAX_QUESTIONS
