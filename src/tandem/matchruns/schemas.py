"""The shapes of the match-run API: what clients send and receive."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from tandem.core.api_types import ApiBool, ApiId, ApiInt, InputSchema, OneOf
from tandem.core.pagination import PageNumber
from tandem.matchruns.models import ConstraintKind, Objective
from tandem.mentorships.api.common import PersonOut
from tandem.people.choices import MeetingFormat


class SummaryOut(Schema):
    mentees: int
    mentors: int
    matched: int
    unmatched: int
    mean_score: float | None
    min_score: float | None
    match_rate: float | None


class RunOut(Schema):
    id: int
    program: str
    objective: str
    seed: int
    status: str
    progress: int
    error: str
    parent_id: int | None
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None


class RunDetailOut(RunOut):
    summary: SummaryOut | None
    superseded_by: int | None = Field(
        None,
        description="A run of the program published after this one was made: this run is "
        "out of date and cannot be published (start a new run).",
    )


class PagePosition(Schema):
    """Where a page of a run's list sits (``core.pagination.numbered_page``)."""

    count: int
    page: int
    pages: int


class RunPage(PagePosition):
    items: list[RunOut]


class MatchReasonOut(Schema):
    criterion: str
    text: str
    kind: str = "strength"  # or "concern", "note", "fit" (the score in words); old rows: strength


class PairOut(Schema):
    mentee: PersonOut
    mentor: PersonOut
    score: float
    reasons: list[MatchReasonOut]
    pinned: bool


class PairPage(PagePosition):
    items: list[PairOut]


class UnmatchedOut(Schema):
    person: PersonOut
    side: str
    reasons: list[MatchReasonOut]


class UnmatchedPage(PagePosition):
    items: list[UnmatchedOut]


class ConstraintIn(InputSchema):
    mentee_id: ApiId
    mentor_id: ApiId
    kind: Annotated[str, OneOf(ConstraintKind)]


class ConstraintOut(Schema):
    id: int
    mentee: PersonOut
    mentor: PersonOut
    kind: str


class ConstraintReviewOut(ConstraintOut):
    effect: str = Field(description="What re-running with it changes, from this run's pairs.")
    pending: bool = Field(description="Added after this run was solved: a re-run applies it.")
    problem: str = Field(description="Why a run cannot keep this pin, in names; empty if it can.")


class ConstraintReviewPage(PagePosition):
    items: list[ConstraintReviewOut]


class StartIn(InputSchema):
    objective: Annotated[str, OneOf(Objective)] = Objective.OPTIMAL
    seed: ApiInt = 0


class RerunIn(InputSchema):
    objective: Annotated[str, OneOf(Objective)] | None = None
    seed: ApiInt | None = None
    remove: list[ApiId] = Field(
        default_factory=list, description="Pins and forbids to remove from this run first."
    )
    remove_all: ApiBool = Field(
        False, description="Remove all of this run's pins and forbids first."
    )


class ChangeOut(Schema):
    mentee: PersonOut
    mentor_a: str | None
    score_a: float | None
    mentor_b: str | None
    score_b: float | None
    delta: float | None


class CompareOut(Schema):
    run_a: RunDetailOut
    run_b: RunDetailOut
    same: int
    changes: list[ChangeOut]


class RecommendationOut(Schema):
    mentor: PersonOut
    headline: str
    score: float
    reasons: list[MatchReasonOut]
    free_places: int


class RecommendationPage(PagePosition):
    items: list[RecommendationOut]
    preparing: bool = Field(
        False,
        description="Some mentors' profiles are still being embedded: this order reads goals "
        "and expertise with the built-in lexicon; ask again in a minute or two for the finer one.",
    )


class RecommendationFilters(Schema):
    skill: str = ""
    language: str = ""
    timezone: str = ""
    format: Annotated[str, OneOf(MeetingFormat, "")] = ""
    page: PageNumber = 1
