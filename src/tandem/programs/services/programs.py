"""Writes about programs themselves: create one, change its settings and enrolment questions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from tandem.core.exceptions import (
    ApplicationError,
    PermissionDenied,
    Repeated,
    validation_error_fields,
)
from tandem.core.locking import lockable
from tandem.core.templatetags.readable_dates import day_in
from tandem.core.text import clean_text, one_line
from tandem.matching.records.cells import CAPACITY_MAX
from tandem.people.models import User
from tandem.programs.models import (
    DEFAULT_WEIGHTS,
    Enrolment,
    EnrolmentQuestion,
    EnrolmentStatus,
    Program,
    Role,
)
from tandem.programs.selectors import ProgramAccess, access_program, is_program_admin
from tandem.programs.selectors.waitlist import LIMIT_FIELDS
from tandem.programs.services.waitlist import waitlist_fill

# The first parts of the addresses beside a program's own (``/programs/new/``,
# ``/programs/join/<token>/``, ``/programs/invited/<token>/``, the API's ``join/{token}`` and
# ``invited/{token}/...``): a program slugged so lost its pages to them (live API review: a
# program named "Join" answered 405 to its export and insights, 404 to its edit page).
RESERVED_SLUGS = frozenset({"new", "join", "invited"})
SLUG_RESERVED = "{slug} is the start of another of Tandem's addresses: choose another slug."
# Django's own permission: a site admin grants it per user or group in the site admin
# ("programs | program | Can add program"); a superuser has it. The staff flag gives nothing.
CREATE_PERMISSION = "programs.add_program"
CREATE_NOT_ALLOWED = (
    "Creating programs is a right a site admin gives. Ask a site admin of Tandem to grant you "
    '"Can add program" (for you, or a group you are in); an admin of an existing program can '
    "make you an admin of that program instead."
)
ENDS_BEFORE_START = "The end date must be on or after the start date."
WEIGHT_RANGE = (0, 10)  # a matching criterion's weight, either end included
BAD_WEIGHT = "Give a number from {} to {}.".format(*WEIGHT_RANGE)
UNKNOWN_WEIGHT = "Unknown matching criterion {key!r}."
NO_IDENTITY_WEIGHT = (
    "Identity is not a matching criterion: Tandem's match runs never use anyone's background, "
    "because whoever runs them could tell from the pairs what someone wrote."
)
UNKNOWN_FIELD = "{key!r} cannot be changed here."
PROGRAM_REPEATED = (
    "You already run a program named {name}, created by you: here it is. To start another "
    "one, give it another name."
)
# The same name sent again this soon is the same click (a double click, a retried call): it
# lands on the first. Later it is a second program on purpose, and the name is what to change.
PROGRAM_REPEAT_WINDOW = timedelta(minutes=5)
NAME_TAKEN_BY_YOU = (
    "You already run a program named {name} (created {created}). Give this one another name, "
    "such as its year or cohort, so people can tell the two apart."
)
NAME_TAKEN_BY_CREATOR = (
    "{creator}, who created this program, already runs a program named {name} (created "
    "{created}). Give this one another name, such as its year or cohort, so people can tell "
    "the two apart."
)
BAD_ROLE = "Choose mentee, mentor or admin."
QUESTION_LIMIT = cast(int, EnrolmentQuestion._meta.get_field("prompt").max_length)
QUESTION_TOO_LONG = f"Keep each question under {QUESTION_LIMIT} characters."
MAX_QUESTIONS = 20
TOO_MANY_QUESTIONS = f"Ask at most {MAX_QUESTIONS} questions of each role."
QUESTION_TWICE = "“{prompt}” is asked twice: answers are kept by question, so ask it once."
# A ``TextField``'s ``max_length`` is the form's alone: ``full_clean`` does not check it.
DESCRIPTION_LIMIT = Program._meta.get_field("description").max_length or 4000
NAME_LIMIT = cast(int, Program._meta.get_field("name").max_length)  # what full_clean checks
DESCRIPTION_TOO_LONG = "Use at most {limit:,} characters (this one has {length:,})."
MAX_ROLE_LIMIT = 1_000_000
BAD_LIMIT = (
    f"Give a whole number of places from 1 to {MAX_ROLE_LIMIT:,}, or leave it empty for no limit."
)
ROLE_LIMIT_FIELDS = tuple(LIMIT_FIELDS.values())
# The whole-number settings' bounds, one source for the page's form and the API: the API
# stored a default length of 1,000 weeks, which the edit page then refused to save untouched
# (pages review).
SETTING_BOUNDS = {
    "default_duration_weeks": (1, 260),
    "default_capacity": (1, CAPACITY_MAX),
    "max_open_requests": (1, 50),
    "request_expiry_days": (1, 365),
}
OUT_OF_BOUNDS = "Give a whole number from {low:,} to {high:,}."

PROGRAM_FIELDS = (
    "name",
    "description",
    "program_type",
    "matching_mode",
    "starts_on",
    "ends_on",
    "default_duration_weeks",
    "default_cadence",
    "default_capacity",
    "weights",
    "avoid_manager",
    "avoid_same_department",
    "max_open_requests",
    "request_expiry_days",
    "allow_direct_requests",
    *ROLE_LIMIT_FIELDS,
)


def program_can_create(*, user: User | AnonymousUser) -> bool:
    """Whether ``user`` may create programs: an active account with ``CREATE_PERMISSION``."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(CREATE_PERMISSION))


def check_weights(weights: dict[str, Any] | None) -> dict[str, float]:
    """Every criterion gets a weight in ``WEIGHT_RANGE``; missing ones keep their defaults."""
    result = dict(DEFAULT_WEIGHTS)
    errors: dict[str, str] = {}
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            unknown = NO_IDENTITY_WEIGHT if key == "identity" else UNKNOWN_WEIGHT.format(key=key)
            errors[f"weights.{key}"] = unknown
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[f"weights.{key}"] = BAD_WEIGHT
            continue
        if isinstance(value, bool) or not WEIGHT_RANGE[0] <= number <= WEIGHT_RANGE[1]:
            errors[f"weights.{key}"] = BAD_WEIGHT
            continue
        result[key] = number
    if errors:
        raise ApplicationError("Some matching weights are invalid.", fields=errors)
    return result


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "program")[:120]
    others = Program.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True)) | RESERVED_SLUGS
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _validate_program(program: Program) -> None:
    if program.starts_on and program.ends_on and program.ends_on < program.starts_on:
        raise ApplicationError(ENDS_BEFORE_START, fields={"ends_on": ENDS_BEFORE_START})
    try:
        program.full_clean(exclude=["created_by", "slug"])
    except ValidationError as error:
        raise ApplicationError(
            "Some fields are invalid.", fields=validation_error_fields(error)
        ) from None


def _is_limit(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ROLE_LIMIT


def _apply_fields(program: Program, fields: dict[str, Any]) -> None:
    unknown = [key for key in fields if key not in PROGRAM_FIELDS]
    if unknown:
        raise ApplicationError(
            "Some fields cannot be changed.",
            fields={key: UNKNOWN_FIELD.format(key=key) for key in unknown},
        )
    bad_limits = {
        key: BAD_LIMIT
        for key in ROLE_LIMIT_FIELDS
        if fields.get(key) is not None and not _is_limit(fields[key])
    }
    if bad_limits:
        raise ApplicationError("Some limits are invalid.", fields=bad_limits)
    out_of_bounds = {
        key: OUT_OF_BOUNDS.format(low=low, high=high)
        for key, (low, high) in SETTING_BOUNDS.items()
        if isinstance(fields.get(key), int) and not low <= fields[key] <= high
    }
    if out_of_bounds:
        raise ApplicationError("Some settings are out of range.", fields=out_of_bounds)
    for key, value in fields.items():
        if key == "weights":
            value = check_weights(value)
        elif key == "description":
            value = _description_checked(value or "")
        setattr(program, key, value)


def _description_checked(description: str) -> str:
    """The page's form stops a long one; the API stored 100,000 characters (an API review).
    Checked only when sent: a program that holds a longer one from before is still updated.
    Kept as the page's box sends it back (``clean_text``): the API's CRLF became LF on saving
    the edit page untouched (live crawl)."""
    description = clean_text(description)
    if len(description) > DESCRIPTION_LIMIT:
        message = DESCRIPTION_TOO_LONG.format(limit=DESCRIPTION_LIMIT, length=len(description))
        raise ApplicationError(message, fields={"description": message})
    return description


def _take_turns(*, creator_id: int | None) -> None:
    """One person's creates, and renames of the programs they created, take turns under their
    row's lock, taken before any program's: deleting an account locks the person, then leaves
    their programs."""
    if creator_id is not None:
        lockable(User.objects.filter(pk=creator_id), for_update=True).first()


def _namesake(*, name: str, creator: User, other_than: Program | None = None) -> Program | None:
    """The newest program named ``name`` that ``creator`` created and still runs (other than
    ``other_than``): two such programs could not be told apart. Read under ``_take_turns``."""
    found = Program.objects.filter(
        name=name,
        created_by=creator,
        enrolments__person=creator,
        enrolments__role=Role.ADMIN,
        enrolments__status=EnrolmentStatus.ACTIVE,
    )
    if other_than is not None:
        found = found.exclude(pk=other_than.pk)
    return found.order_by("-created_at", "-pk").first()


def _name_taken(found: Program, *, by: User, creator: User) -> ApplicationError:
    """The name's refusal on its field, naming the program it clashes with and whose it is."""
    words = {"name": found.name, "created": day_in(found.created_at)}
    if by == creator:
        error = NAME_TAKEN_BY_YOU.format(**words)
    else:
        error = NAME_TAKEN_BY_CREATOR.format(creator=creator.display_name, **words)
    return ApplicationError(error, fields={"name": error})


@transaction.atomic
def program_create(
    *,
    user: User | AnonymousUser,
    name: str,
    questions: dict[str, list[tuple[str, bool]]] | None = None,
    **fields: Any,
) -> Program:
    """Those with the right to create programs (``program_can_create``) create one and become
    its first admin."""
    if not isinstance(user, User) or not program_can_create(user=user):
        raise PermissionDenied(CREATE_NOT_ALLOWED)
    program = Program(name=one_line(name), created_by=user)
    _apply_fields(program, fields)
    _validate_program(program)
    # One person's creates take turns (their row's lock), so the form sent twice finds the
    # first one's program; the slug is picked after, or the second took "<slug>-2".
    _take_turns(creator_id=user.pk)
    found = _namesake(name=program.name, creator=user)
    if found is not None and found.created_at > timezone.now() - PROGRAM_REPEAT_WINDOW:
        raise Repeated(
            PROGRAM_REPEATED.format(name=program.name),
            url=reverse("program_detail", args=[found.slug]),
        )
    if found is not None:
        raise _name_taken(found, by=user, creator=user)
    program.slug = _unique_slug(program.name)
    try:
        with transaction.atomic():
            program.save()
    except IntegrityError:
        raise ApplicationError(
            "A program with this name was just created; try again.", status=409
        ) from None
    Enrolment.objects.create(
        program=program, person=user, role=Role.ADMIN, status=EnrolmentStatus.ACTIVE
    )
    for role, prompts in (questions or {}).items():
        _questions_replace(program=program, role=role, prompts=prompts)
    return program


@transaction.atomic
def program_update(
    *,
    user: User,
    program_id: int,
    questions: dict[str, list[tuple[str, bool]]] | None = None,
    **fields: Any,
) -> Program:
    """Program admins change settings; the slug stays so shared links keep working. A raised
    (or cleared) limit gives the freed places to the waitlist at once; a lowered one removes
    nobody (``program_limit_notes`` says so)."""
    if "name" in fields:
        fields["name"] = one_line(fields["name"])
        unlocked = access_program(user=user, program_id=program_id, need=ProgramAccess.ADMIN)
        _take_turns(creator_id=unlocked.created_by_id)
    program = access_program(
        user=user, program_id=program_id, need=ProgramAccess.ADMIN, for_update=True
    )
    renamed = "name" in fields and fields["name"] != program.name
    _apply_fields(program, fields)
    _validate_program(program)
    # Only a new name is checked: a form saved untouched saves, even for two programs that
    # shared a name before the rule. As on creating, the clash is two programs their creator
    # runs both of.
    creator = program.created_by
    if renamed and creator is not None and is_program_admin(user=creator, program_id=program.pk):
        found = _namesake(name=program.name, creator=creator, other_than=program)
        if found is not None:
            raise _name_taken(found, by=user, creator=creator)
    program.save()
    waitlist_fill(program=program)
    for role, prompts in (questions or {}).items():
        _questions_replace(program=program, role=role, prompts=prompts)
    return program


def _questions_replace(*, program: Program, role: str, prompts: list[tuple[str, bool]]) -> None:
    if role not in Role.values:
        raise ApplicationError(BAD_ROLE, fields={"role": BAD_ROLE})
    cleaned = [
        (one_line(prompt), bool(required)) for prompt, required in prompts if one_line(prompt)
    ]
    field = f"questions_{role}"
    if any(len(prompt) > QUESTION_LIMIT for prompt, _ in cleaned):
        raise ApplicationError(QUESTION_TOO_LONG, fields={field: QUESTION_TOO_LONG})
    # A line pasted 3,000 times made as many questions, each the same (live crawl).
    if len(cleaned) > MAX_QUESTIONS:
        raise ApplicationError(TOO_MANY_QUESTIONS, fields={field: TOO_MANY_QUESTIONS})
    asked = [prompt for prompt, _ in cleaned]
    if twice := next((p for i, p in enumerate(asked) if p in asked[:i]), None):
        message = QUESTION_TWICE.format(prompt=twice)
        raise ApplicationError(message, fields={field: message})
    existing = {q.prompt: q for q in EnrolmentQuestion.objects.filter(program=program, role=role)}
    keep = set()
    for position, (prompt, required) in enumerate(cleaned):
        question = existing.get(prompt)
        if question is None:
            EnrolmentQuestion.objects.create(
                program=program, role=role, prompt=prompt, required=required, position=position
            )
        else:
            keep.add(question.pk)
            if (question.required, question.position) != (required, position):
                question.required, question.position = required, position
                question.save(update_fields=["required", "position"])
    EnrolmentQuestion.objects.filter(program=program, role=role).exclude(pk__in=keep).exclude(
        prompt__in=[p for p, _ in cleaned]
    ).delete()
