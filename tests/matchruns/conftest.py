import pytest

from tests.matchruns.factories import ProgramFactory, admin, mentee, mentor


@pytest.fixture(autouse=True)
def _fast_tasks(settings):
    """Tasks run at enqueue time (on commit), so a started run is finished when we look."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Use as ``with run_tasks(): ...``: on-commit callbacks (task enqueues) run at exit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def program_admin(program):
    return admin(program)


@pytest.fixture
def cohort(program):
    """Three mentees and two mentors (capacity 1 and 2) with clear best partners."""
    data = mentee(
        program,
        first_name="Ada",
        goals="learn SQL query tuning and databases",
        wanted=["SQL"],
        seniority=2,
    )
    design = mentee(
        program,
        first_name="Bea",
        goals="improve UX design and user research",
        wanted=["UX design"],
        seniority=2,
    )
    lead = mentee(
        program,
        first_name="Cem",
        goals="become a better engineering manager",
        wanted=["Leadership"],
        seniority=3,
    )
    dba = mentor(
        program,
        first_name="Dana",
        capacity=1,
        expertise="SQL performance, query tuning, database administration",
        offered=["SQL"],
        seniority=6,
    )
    ux = mentor(
        program,
        first_name="Eli",
        capacity=2,
        expertise="UX design, user research and engineering management",
        offered=["UX design", "Leadership"],
        seniority=7,
    )
    return {"ada": data, "bea": design, "cem": lead, "dana": dba, "eli": ux}
