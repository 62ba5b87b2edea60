"""People API (mounted at ``/api/people/``): your profile, your private background, your API
tokens, the skill vocabulary, and the profiles of people you share a program with.

Every operation needs authentication (session + CSRF, or ``Authorization: Bearer <token>``).
Errors are ``{"detail": ..., "fields": {field: message}}`` with status 400/404/409 (domain
rules) or 422 (wrong types).
"""

from datetime import datetime
from typing import Annotated

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tandem.core.api_types import (
    ApiBool,
    ApiInt,
    AuthenticatedRequest,
    InputSchema,
    OneOf,
    TextId,
    up_to,
    up_to_items,
    within,
)
from tandem.core.exceptions import NotFound
from tandem.core.openapi import ErrorOut
from tandem.core.pagination import PageNumberPagination
from tandem.matching.records.availability import format_windows_joined
from tandem.matching.records.cells import (
    MAX_IDENTITY_ITEM_LENGTH,
    MAX_IDENTITY_ITEMS,
    MAX_SKILLS,
    SENIORITY_RANGE,
    SKILL_MAX_LENGTH,
    WORKING_STYLE_SCALE,
)
from tandem.people import selectors, services
from tandem.people.auth import authenticated_by_token
from tandem.people.choices import Cadence, MeetingFormat
from tandem.people.services.manager import MANAGER_EMAIL_MAX_LENGTH, MANAGER_NAME_MAX_LENGTH
from tandem.people.services.profiles import TEXT_LIMITS
from tandem.people.services.tokens import TOKEN_NAME_LIMIT

router = Router(tags=["people"])

IDENTITY_NOT_FOUND = "You have not saved any background information."


# --- schemas -------------------------------------------------------------------------------
class ProfileOut(Schema):
    """A profile as people in a shared program see it (never the private background)."""

    user_id: int
    display_name: str
    headline: str
    bio: str
    goals: str
    expertise: str
    skills_offered: list[str]
    skills_wanted: list[str]
    seniority: int | None = Field(None, description="0 (student) .. 10 (executive).")
    department: str
    city: str
    timezone: str = Field(description="IANA time zone name, e.g. Europe/London.")
    availability: list[str] = Field(
        description='Weekly windows in the person\'s time zone, e.g. "Mon 09:00-12:00"; '
        'an overnight window is written "Fri 22:00-01:00".'
    )
    availability_utc: list[list[int]] = Field(
        description="The same windows as merged [start, end) UTC minute-of-week intervals "
        "(0 = Monday 00:00 UTC) for the current week."
    )
    languages: list[str] = Field(description="ISO 639-1 codes, most fluent first.")
    meeting_format: str = Field(description="virtual | in_person | any")
    cadence: str = Field(description="weekly | biweekly | monthly | quarterly, or empty.")
    working_style: dict[str, int] = Field(
        description="Answers 1..5 to the working-style questions, by question key."
    )

    @staticmethod
    def resolve_user_id(obj) -> int:
        return obj.user_id

    @staticmethod
    def resolve_display_name(obj) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_skills_offered(obj) -> list[str]:
        return selectors.skill_labels(obj, "skills_offered")

    @staticmethod
    def resolve_skills_wanted(obj) -> list[str]:
        return selectors.skill_labels(obj, "skills_wanted")

    @staticmethod
    def resolve_availability(obj) -> list[str]:
        return format_windows_joined(
            (w.weekday, w.start_minute, w.end_minute) for w in obj.windows.all()
        )


class MyProfileOut(ProfileOut):
    """Your own profile, with the account fields only you see."""

    email: str
    email_verified: bool
    first_name: str
    last_name: str
    manager_email: str | None = Field(None, description="Your manager's email, as you gave it.")
    manager_name: str = Field(
        "", description="Your manager's name: as you typed it, or the person you chose."
    )
    completeness: int = Field(description="Percent of what matching needs that is filled in.")
    missing: list[str] = Field(description="What is still missing, in words.")

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_email_verified(obj) -> bool:
        return obj.user.email_verified_at is not None

    @staticmethod
    def resolve_first_name(obj) -> str:
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj) -> str:
        return obj.user.last_name

    @staticmethod
    def resolve_manager_email(obj) -> str | None:
        # A manager chosen from the people page has no email here: you may not see theirs.
        return obj.manager_email or None

    @staticmethod
    def resolve_manager_name(obj) -> str:
        chosen = obj.manager if obj.manager_id and not obj.manager_email else None
        return chosen.get_full_name() if chosen else obj.manager_name

    @staticmethod
    def resolve_completeness(obj) -> int:
        return selectors.profile_completeness(profile=obj).percent

    @staticmethod
    def resolve_missing(obj) -> list[str]:
        return selectors.profile_completeness(profile=obj).missing


SKILL_TAGS_HELP = (
    "Skill tags, each kept as you typed it; spellings that differ only in case, spaces, "
    "dashes or other punctuation are one tag for matching (+ and # count: C, C++ and C# differ)."
)


# Skill tags, as many and as long as the participant record takes (``cells.check_skills``).
Skills = Annotated[list[Annotated[str, up_to(SKILL_MAX_LENGTH)]], up_to_items(MAX_SKILLS)]


class ProfilePatch(InputSchema):
    """Only the fields you send are changed; all are validated before anything is saved."""

    first_name: Annotated[str, up_to(TEXT_LIMITS["first_name"])] | None = None
    last_name: Annotated[str, up_to(TEXT_LIMITS["last_name"])] | None = None
    headline: Annotated[str, up_to(TEXT_LIMITS["headline"])] | None = None
    bio: Annotated[str, up_to(TEXT_LIMITS["bio"])] | None = None
    goals: Annotated[str, up_to(TEXT_LIMITS["goals"])] | None = None
    expertise: Annotated[str, up_to(TEXT_LIMITS["expertise"])] | None = None
    skills_offered: Skills | None = Field(None, description=SKILL_TAGS_HELP)
    skills_wanted: Skills | None = Field(None, description=SKILL_TAGS_HELP)
    seniority: Annotated[ApiInt, within(SENIORITY_RANGE[0], SENIORITY_RANGE[-1])] | None = Field(
        None, description="0..10, or null to clear."
    )
    department: Annotated[str, up_to(TEXT_LIMITS["department"])] | None = None
    manager_email: Annotated[str, up_to(MANAGER_EMAIL_MAX_LENGTH)] | None = Field(
        None, description='Your manager\'s email (they need no account here); "" clears.'
    )
    manager_name: Annotated[str, up_to(MANAGER_NAME_MAX_LENGTH)] | None = Field(
        None, description="Your manager's name; needs the email."
    )
    city: Annotated[str, up_to(TEXT_LIMITS["city"])] | None = None
    timezone: str | None = Field(None, description="IANA name, e.g. America/New_York.")
    availability: list[str] | None = Field(
        None,
        description='Windows in your time zone, e.g. ["Mon 09:00-12:00", '
        '"Fri 22:00-01:00"]; overlapping windows are merged.',
    )
    languages: list[str] | None = Field(
        None, description="ISO 639-1 codes, most fluent first (the order is kept)."
    )
    # Exactly the listed values, as every choice of the API (a 422 naming the field): the
    # participant record, which reads them next, also takes "WEEKLY" or "In person" from a file.
    meeting_format: Annotated[str, OneOf(MeetingFormat)] | None = None
    cadence: Annotated[str, OneOf(Cadence, "")] | None = Field(None, description='"" clears.')
    working_style: (
        dict[str, Annotated[ApiInt, within(WORKING_STYLE_SCALE[0], WORKING_STYLE_SCALE[-1])]] | None
    ) = Field(None, description="{question_key: 1..5}")


class IdentityOut(Schema):
    attributes: list[str]
    consented_at: datetime


class IdentityIn(InputSchema):
    """Your self-described background. Only you can read it; it is used only in the program's
    quarterly equity figures, which hide small groups. It is not used in matching: match runs and
    recommendations are the same whatever it holds, because an admin who can re-run matching at
    will could otherwise tell from the pairs what you wrote (docs/matching.md)."""

    attributes: Annotated[
        list[Annotated[str, up_to(MAX_IDENTITY_ITEM_LENGTH)]], up_to_items(MAX_IDENTITY_ITEMS)
    ] = Field(description=f"Up to {MAX_IDENTITY_ITEMS} items in your own words.")
    consent: ApiBool = Field(
        description="Must be true to store anything new: you agree to storing and this use. "
        "A PUT that changes nothing keeps the consent you gave and its date."
    )


class SkillOut(Schema):
    id: int
    name: str = Field(description="The tag in the curated vocabulary's spelling.")
    slug: str

    @staticmethod
    def resolve_name(obj: selectors.SkillSuggestion) -> str:
        return obj["suggested_as"]


class TokenIn(InputSchema):
    name: Annotated[str, up_to(TOKEN_NAME_LIMIT)] = Field(
        description="What will use the token, e.g. 'laptop script'."
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The first characters of the secret, to recognise it.")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="The token itself. Shown only in this response.")


# --- operations ----------------------------------------------------------------------------
@router.get("/me", response=MyProfileOut, summary="Your profile")
def me_get(request: AuthenticatedRequest):
    """Your own profile, including account fields and what is still missing for matching."""
    return selectors.profile_get_own(user=request.auth)


@router.patch("/me", response={200: MyProfileOut, 400: ErrorOut}, summary="Change your profile")
def me_patch(request: AuthenticatedRequest, payload: ProfilePatch):
    """Change some fields of your profile. Either every field is saved or none is: a 400 lists
    each invalid field in ``fields``."""
    profile = selectors.profile_get_own(user=request.auth)
    services.profile_update(profile=profile, actor=request.auth, **payload.dict(exclude_unset=True))
    return selectors.profile_get_own(user=request.auth)


@router.get(
    "/me/identity", response={200: IdentityOut, 404: ErrorOut}, summary="Your private background"
)
def identity_get(request: AuthenticatedRequest):
    """Readable only by you; 404 when you have not saved any."""
    identity = selectors.identity_get_own(user=request.auth)
    if identity is None:
        raise NotFound(IDENTITY_NOT_FOUND)
    return identity


@router.put(
    "/me/identity",
    response={200: IdentityOut, 204: None, 400: ErrorOut},
    summary="Save your private background",
)
def identity_put(request: AuthenticatedRequest, payload: IdentityIn):
    """Replace your background record. ``consent`` must be true, unless nothing changes.
    No attributes (blanks and invisible characters are none) delete the record, as DELETE
    does: 204 whether one was stored or not (no record is made of nothing)."""
    identity, _ = services.identity_set(
        user=request.auth,
        attributes=payload.attributes,
        consent=payload.consent,
    )
    if identity is None:
        return 204, None
    return identity


@router.delete("/me/identity", response={204: None}, summary="Withdraw your private background")
def identity_delete(request: AuthenticatedRequest):
    """Delete the record completely (idempotent)."""
    services.identity_withdraw(user=request.auth)
    return 204, None


@router.get("/me/tokens", response=list[TokenOut], summary="Your API tokens")
@paginate(PageNumberPagination, page_size=20)
def tokens_list(request: AuthenticatedRequest):
    """Active tokens first, newest first. Secrets are never returned here."""
    return selectors.api_token_list(user=request.auth)


@router.post(
    "/me/tokens",
    response={201: TokenCreatedOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Create an API token",
)
def tokens_create(request: AuthenticatedRequest, payload: TokenIn):
    """The response holds the secret once; only its hash is stored. Only from a signed-in
    browser session: a request authenticated with a token is refused (403), so a leaked token
    cannot create others that would outlive its revocation."""
    token, secret = services.api_token_create(
        user=request.auth,
        name=payload.name,
        authenticated_by_token=authenticated_by_token(request),
    )
    return 201, TokenCreatedOut(**TokenOut.model_validate(token).model_dump(), secret=secret)


@router.delete(
    "/me/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Revoke an API token"
)
def tokens_revoke(request: AuthenticatedRequest, token_id: TextId):
    """The token stops working immediately. Other people's tokens are 404."""
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return 204, None


@router.get("/skills", response=list[SkillOut], summary="Search the skill vocabulary")
@paginate(PageNumberPagination, page_size=20)
def skills_search(request: AuthenticatedRequest, q: str = ""):
    """Autocomplete: skill names containing ``q`` (case-insensitive), names starting with it
    first, then alphabetical. Only the curated vocabulary is listed: a tag typed on profiles
    stays its holders' until a site admin curates it. An empty ``q`` lists them all."""
    return selectors.skill_search(prefix=q[:80])


@router.get("/{user_id}", response={200: ProfileOut, 404: ErrorOut}, summary="A person's profile")
def profile_get(request: AuthenticatedRequest, user_id: TextId):
    """Visible to the person and to people who share a program with them (active or paused
    enrolments); otherwise 404. Never includes the private background."""
    return selectors.access_profile(user=request.auth, user_id=user_id)
