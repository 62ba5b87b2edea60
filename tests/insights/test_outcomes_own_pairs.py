"""The outcomes insights leave out the reader's own pairs (live privacy review: a mentor who
also ran the program read "Not the right fit,1,1.0" and "The mentee asked for a new
mentor,1,1.0" in the early-ending CSVs after her mentee ended their mentorship, though the
mentee's category and wish are never hers to read).

Twin programs, each run by the mentor of one pair whose mentee ended it early: "Not the right
fit", a new mentor wished for and a closing survey answered 1 and "no" in one; "schedules
clash", no wish, 5 and "yes" in the other. Both hold the mentor-admin's own closing answers,
three other people's, and another early ending. The mentor-admin's outcomes page, every CSV,
the workbook and the API read the same in both: without her pair, the survey's answers are
three people's, no block, and none is counted. A plain admin still has the pair and its
answers counted."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.feedback.questions import END_CATEGORY_KEY
from tandem.insights.scope import Quarter
from tandem.insights.sections import OWN_PAIRS_LEFT_OUT
from tandem.mentorships.models import Mentorship
from tandem.mentorships.models.mentorships import EndCategory
from tandem.mentorships.services import early_end_feedback_save, mentorship_end_early
from tandem.programs.models import Role
from tests.feedback.observed import anonymous, differences
from tests.mentorships.factories import member, mentorship
from tests.programs.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.django_db

TABLES = (
    "checkin_scores",
    "checkin_distribution",
    "would_recommend",
    "early_end_views",
    "endings",
    "early_end_reasons",
    "early_endings",
    "rematch",
)
# A month long past its edit window: its answers make a closed block once five people answered.
ANSWERED = datetime(2025, 11, 10, 10, tzinfo=UTC)
FRESHNESS = re.compile(r"Figures as of \d\d:\d\d UTC")


def closing(pair: Mentorship, author, **answers) -> None:
    CheckIn.objects.create(
        mentorship=pair,
        author=author,
        kind=CheckInKind.CLOSING,
        sequence=1,
        questions=[],
        due_at=ANSWERED,
        answered_at=ANSWERED,
        answers={"goals_achieved": 3, **answers},
    )


def run_by_the_mentor(category: str, wants_new_mentor: bool, score: int, recommend: str):
    """A program run by the mentor of a pair the mentee ended early (``category``), with the
    mentee's private answers; everything else alike in every twin."""
    program = ProgramFactory()
    pair = mentorship(program=program)
    EnrolmentFactory(program=program, person=pair.mentor, role=Role.ADMIN)
    closing(pair, pair.mentor, satisfaction=3, would_recommend="maybe")
    closing(
        pair,
        pair.mentee,
        satisfaction=score,
        would_recommend=recommend,
        **{END_CATEGORY_KEY: category},
    )
    for _ in range(3):
        other = mentorship(program=program)
        closing(other, other.mentee, satisfaction=4, would_recommend="yes")
    other = mentorship(program=program)
    mentorship_end_early(
        user=other.mentee, mentorship_id=other.pk, reason="Moving", category=EndCategory.OTHER
    )
    mentorship_end_early(user=pair.mentee, mentorship_id=pair.pk, reason="Why", category=category)
    early_end_feedback_save(
        user=pair.mentee, mentorship_id=pair.pk, wants_new_mentor=wants_new_mentor
    )
    return pair


@pytest.fixture
def twins():
    return {
        "fit": run_by_the_mentor(EndCategory.FIT, True, 1, "no"),
        "schedule": run_by_the_mentor(EndCategory.SCHEDULE, False, 5, "yes"),
    }


def outcomes_read(client, pair, reader) -> dict[str, str]:
    """The outcomes page, its CSVs, workbook and API answers as ``reader`` reads them, the
    pair anonymous; the quarter the endings fall in as the review asked for it too."""
    client.force_login(reader)
    slug = pair.program.slug
    this = Quarter.containing(timezone.now())
    urls = {"page": reverse("insights_program_section", args=[slug, "outcomes"])}
    api = f"/api/programs/{slug}/insights/outcomes"
    urls["api"] = api
    for table in TABLES:
        urls[table] = reverse("insights_program_csv", args=[slug, "outcomes", table])
        urls[f"{table} api"] = f"{api}/{table}/csv?from={this}&to={this}"
    seen = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        seen[name] = anonymous(FRESHNESS.sub("Figures as of T", response.content.decode()), pair)
    workbook = client.get(reverse("insights_program_xlsx", args=[slug, "outcomes"]))
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True)
    seen["xlsx"] = repr([list(sheet.iter_rows(values_only=True)) for sheet in sheets])
    return seen


def counts(text: str) -> dict[str, str]:
    """A CSV's first two columns (label to count)."""
    return {row[0]: row[1] for row in csv.reader(io.StringIO(text.removeprefix("\ufeff")))}


def test_the_mentor_admin_reads_the_same_whatever_the_mentee_chose(client, twins):
    fit, schedule = twins["fit"], twins["schedule"]
    seen_fit = outcomes_read(client, fit, fit.mentor)
    seen_schedule = outcomes_read(client, schedule, schedule.mentor)
    for name, text in seen_fit.items():
        assert text == seen_schedule[name], (name, differences(text, seen_schedule[name]))
    assert OWN_PAIRS_LEFT_OUT in seen_fit["page"]
    reasons = counts(seen_fit["early_end_reasons api"])
    assert (reasons[EndCategory.FIT.label], reasons[EndCategory.OTHER.label]) == ("0", "1")
    scores = list(csv.reader(io.StringIO(seen_fit["checkin_scores"].removeprefix("\ufeff"))))
    satisfaction = next(row for row in scores if row[0] == "Satisfaction (closing)")
    assert satisfaction[1:3] == ["0", ""]  # three people's answers make no block


def test_a_plain_admin_still_has_the_pair_counted(client, twins, exact_checkin_figures):
    fit = twins["fit"]
    seen = outcomes_read(client, fit, member(fit.program, Role.ADMIN))
    reasons = counts(seen["early_end_reasons api"])
    assert (reasons[EndCategory.FIT.label], reasons[EndCategory.OTHER.label]) == ("1", "1")
    early = csv.reader(io.StringIO(seen["early_endings api"].removeprefix("\ufeff")))
    assert ["Afterwards", "The mentee asked for a new mentor", "1", "0.5"] in list(early)
    scores = list(csv.reader(io.StringIO(seen["checkin_scores"].removeprefix("\ufeff"))))
    satisfaction = next(row for row in scores if row[0] == "Satisfaction (closing)")
    assert satisfaction[1:3] == ["5", "3.2"]  # 3, 1 and three 4s
    assert OWN_PAIRS_LEFT_OUT not in seen["page"]
