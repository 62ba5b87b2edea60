import csv

import pytest

from tandem.demo import skills as demo_skills
from tandem.demo.matching_csv import write_demo_csv
from tandem.demo.people import iter_demo_people
from tandem.demo.program import DEMO_PASSWORD, DEMO_PROGRAM_SLUG, load_demo_program
from tandem.matching.records.columns import MENTEE_COLUMNS, MENTOR_COLUMNS
from tandem.people.models import Identity, Profile, User
from tandem.people.selectors import skill_search
from tandem.people.services import identity_withdraw
from tandem.people.services.closing import account_delete
from tandem.programs.models import Enrolment, Invitation, Program


def test_vocabulary_is_broad():
    skills = {skill.casefold() for skill in demo_skills.ALL_SKILLS}
    assert len(skills) == len(demo_skills.ALL_SKILLS) >= 150
    assert set(demo_skills.SKILLS) >= {
        "engineering",
        "data",
        "design",
        "product",
        "leadership",
        "communication",
    }


def test_generated_people_are_varied_and_deterministic():
    people = list(iter_demo_people(300, seed=3))
    assert len(people) == 300
    assert people == list(iter_demo_people(300, seed=3))
    assert people != list(iter_demo_people(300, seed=4))
    mentees = [p for p in people if p["role"] == "mentee"]
    mentors = [p for p in people if p["role"] == "mentor"]
    assert 0.3 < len(mentors) / 300 < 0.45
    goals = [p["text"] for p in mentees]
    assert len(set(goals)) / len(goals) > 0.9
    assert len({p["timezone"] for p in people}) >= 6
    assert len({code for p in people for code in p["languages"]}) >= 5
    assert len({p["department"] for p in people}) >= 10
    assert len({p["seniority"] for p in people}) >= 7
    assert {p["format"] for p in people} == {"virtual", "in_person", "any"}
    assert len({p["cadence"] for p in people}) == 4
    identity_share = sum(bool(p["identity"]) for p in people) / len(people)
    assert 0.1 < identity_share < 0.3
    assert sum(p["capacity"] for p in mentors) >= len(mentees)
    evenings = [p for p in people if any(w.split()[1] >= "18:00" for w in p["availability"])]
    assert evenings


def test_csv_files(tmp_path):
    mentees_path, mentors_path = write_demo_csv(tmp_path, people=500, seed=1)
    with open(mentees_path, encoding="utf-8") as handle:
        mentees = list(csv.DictReader(handle))
    with open(mentors_path, encoding="utf-8") as handle:
        mentors = list(csv.DictReader(handle))
    assert tuple(mentees[0]) == MENTEE_COLUMNS and tuple(mentors[0]) == MENTOR_COLUMNS
    assert len(mentees) + len(mentors) == 500
    assert all(int(row["capacity"]) >= 1 for row in mentors)
    assert all(row["goals"] and row["skills_wanted"] for row in mentees)


@pytest.mark.django_db
def test_load_is_idempotent_and_keeps_user_edits():
    logins = load_demo_program(people=40, seed=5)
    assert [login.email for login in logins] == [
        "admin@demo.tandem.test",
        "mentor001@demo.tandem.test",
        "mentee001@demo.tandem.test",
    ]
    assert {login.password for login in logins} == {DEMO_PASSWORD}
    program = Program.objects.get(slug=DEMO_PROGRAM_SLUG)
    assert Enrolment.objects.filter(program=program).count() == 41  # + the admin
    assert User.objects.get(email="mentee001@demo.tandem.test").check_password(DEMO_PASSWORD)
    assert User.objects.get(email="admin@demo.tandem.test").is_staff
    assert User.objects.get(email="mentor001@demo.tandem.test").email_verified_at is not None
    assert Invitation.objects.filter(program=program).count() == 2
    # The demo's skill list is its seeded vocabulary: suggested however few people hold it.
    assert skill_search().count() == len(demo_skills.ALL_SKILLS)

    profile = Profile.objects.get(user__email="mentee001@demo.tandem.test")
    profile.goals = "My own words"
    profile.save()
    Enrolment.objects.filter(person__email="mentor002@demo.tandem.test").update(capacity=9)

    load_demo_program(people=40, seed=5)
    assert User.objects.filter(email__endswith="demo.tandem.test").count() == 41
    assert Enrolment.objects.filter(program=program).count() == 41
    profile.refresh_from_db()
    assert profile.goals == "My own words"
    assert Enrolment.objects.get(person__email="mentor002@demo.tandem.test").capacity == 9
    assert Invitation.objects.filter(program=program).count() == 2

    Enrolment.objects.filter(person__email="mentee003@demo.tandem.test").delete()
    load_demo_program(people=40, seed=5)
    assert Enrolment.objects.filter(program=program).count() == 41


@pytest.mark.django_db
def test_a_demo_login_deleted_by_its_person_comes_back_on_the_next_start():
    """A live review deleted the demo mentee's account, and ``tandem run`` no longer started:
    the anonymised account still held the import id ``mentee001``. Deleting an account erases
    that id, so the next start makes the printed login work again."""
    load_demo_program(people=40, seed=5)
    mentee = User.objects.get(email="mentee001@demo.tandem.test")
    account_delete(user=mentee, password=DEMO_PASSWORD)
    assert not Enrolment.objects.filter(person=mentee).exclude(external_id="").exists()
    load_demo_program(people=40, seed=5)
    again = User.objects.get(email="mentee001@demo.tandem.test")
    assert again.pk != mentee.pk and again.check_password(DEMO_PASSWORD)
    assert Enrolment.objects.get(person=again).external_id == "mentee001"


@pytest.mark.django_db
def test_demo_people_self_identify_once_and_withdrawals_stay():
    """Regression: once imports stopped writing identity, the demo had no identity at all."""
    load_demo_program(people=60, seed=5)
    expected = {p["email"] for p in iter_demo_people(60, seed=5) if p["identity"]}
    assert set(Identity.objects.values_list("user__email", flat=True)) == expected
    withdrawn = User.objects.get(email=sorted(expected)[0])
    identity_withdraw(user=withdrawn)

    load_demo_program(people=60, seed=5)
    assert not Identity.objects.filter(user=withdrawn).exists()
    assert Identity.objects.count() == len(expected) - 1
