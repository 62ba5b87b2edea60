"""The equity quantities of every mentee enrolment as of its cohort's cut-off, summed in the
database (``equity_data`` sums them per program, quarter and exact list of identity attributes):
only those sums leave the database, with no user id."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from tandem.feedback.models import CheckIn, CheckInKind
from tandem.insights.equity.cohorts import cutoff, quarter_start
from tandem.matchruns.models import MatchPair, RunStatus
from tandem.mentorships.models import Goal, GoalState, GoalUpdate, Mentorship, MentorshipState
from tandem.programs.models import Enrolment, Role


class EpochDays(Func):
    """Days since 1970 of a datetime, as a float, on SQLite and PostgreSQL alike."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(julianday(%(expressions)s) - 2440587.5)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _count(queryset: QuerySet[Any], key: str) -> Coalesce:
    counted = queryset.values(key).annotate(c=Count("pk")).values("c")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _goal_state() -> Coalesce:
    """A goal's state at its mentee's cut-off: its latest update then; with none then, the
    state every goal is created in, unless it was never updated at all (goals written with a
    state by imports or the demo keep it)."""
    updates = GoalUpdate.objects.filter(goal=OuterRef("pk"))
    then = (
        updates.filter(created_at__lte=OuterRef(OuterRef("cut")))
        .order_by("-created_at", "-pk")
        .values("state")[:1]
    )
    before = Case(
        When(Exists(updates), then=Value(GoalState.NOT_STARTED)),
        default=F("state"),
    )
    return Coalesce(Subquery(then), before)


def cohort_cases(quarters: range) -> tuple[Case, Case]:
    """Each enrolment's cohort (the quarter it joined) and that cohort's cut-off, for the
    enrolments of ``quarters`` (the others get none)."""
    whens = [
        (Q(created_at__gte=quarter_start(q), created_at__lt=quarter_start(q + 1)), q)
        for q in quarters
    ]
    cohort = Case(*(When(c, then=Value(q)) for c, q in whens), output_field=IntegerField())
    cut = Case(*(When(c, then=Value(cutoff(q))) for c, q in whens), output_field=DateTimeField())
    return cohort, cut


def mentees_at_cutoff(cut_off: Case) -> QuerySet[Enrolment]:
    """Every mentee enrolment with its quantities as of its cohort's cut-off (``cut_off``, per
    enrolment; per person: never leaves the database). Only what happened by then counts, so
    the figures never change afterwards."""
    cut = OuterRef("cut")  # in the subqueries: their enrolment's cut-off
    # ``program_id + 0``: SQLite would otherwise look a mentee's mentorships up through the
    # (program, mentor, state) index, scanning the whole program once per enrolment, rather
    # than through the mentee's own index (minutes instead of seconds at 50,000 mentorships).
    theirs = (
        Mentorship.objects.filter(mentee=OuterRef("person"), created_at__lte=cut)
        .annotate(in_program=F("program_id") + 0)
        .filter(in_program=OuterRef("program"))
    )
    first = theirs.order_by("created_at", "pk").values("created_at")[:1]
    score = (
        MatchPair.objects.filter(
            run__program=OuterRef("program"),
            run__status=RunStatus.PUBLISHED,
            run__published_at__lte=cut,
            mentee=OuterRef("person"),
        )
        .order_by("run__published_at", "run_id")
        .values("score")[:1]
    )
    satisfaction = (
        CheckIn.objects.filter(
            mentorship__program=OuterRef("program"),
            mentorship__mentee=OuterRef("person"),
            author=OuterRef("person"),
            kind=CheckInKind.CLOSING,
            answered_at__lte=cut,
        )
        .annotate(value=Cast(KT("answers__satisfaction"), FloatField()))
        .filter(value__isnull=False)
        .order_by("-answered_at", "-pk")
        .values("value")[:1]
    )
    goals = (
        Goal.objects.filter(mentorship__mentee=OuterRef("person"), created_at__lte=cut)
        .annotate(in_program=F("mentorship__program_id") + 0)
        .filter(in_program=OuterRef("program"))
    )
    achieved = goals.annotate(then=_goal_state()).filter(then=GoalState.ACHIEVED)
    return (
        Enrolment.objects.filter(role=Role.MENTEE)
        .annotate(cut=cut_off)
        .annotate(
            first_at=Subquery(first),
            n_mentorships=_count(theirs, "mentee"),
            had_early=Exists(theirs.filter(state=MentorshipState.ENDED_EARLY, ended_at__lte=cut)),
            pair_score=Subquery(score, output_field=FloatField()),
            rating=Subquery(satisfaction, output_field=FloatField()),
            n_goals=_count(goals, "mentorship__mentee"),
            n_achieved=_count(achieved, "mentorship__mentee"),
        )
        .annotate(
            wait=(EpochDays(F("first_at")) - EpochDays(F("created_at"))) / 7.0,
            part=Case(
                When(n_goals__gt=0, then=Cast("n_achieved", FloatField()) / F("n_goals")),
                output_field=FloatField(),
            ),
        )
    )


def _one(condition: Q) -> Sum:
    return Sum(Case(When(condition, then=Value(1)), default=Value(0)))


def quantity_sums() -> dict[str, Any]:
    matched = Q(first_at__isnull=False)
    return {
        "enrolled": Count("pk"),
        "matched": _one(matched),
        "weeks": Sum("wait", filter=matched),
        "weeks_sq": Sum(F("wait") * F("wait"), filter=matched),
        "scored": _one(Q(pair_score__isnull=False)),
        "score": Sum("pair_score"),
        "score_sq": Sum(F("pair_score") * F("pair_score")),
        "answered": _one(Q(rating__isnull=False)),
        "satisfaction": Sum("rating"),
        "satisfaction_sq": Sum(F("rating") * F("rating")),
        "ended_early": _one(matched & Q(had_early=True)),
        "rematched": _one(Q(n_mentorships__gte=2)),
        "with_goals": _one(Q(n_goals__gt=0)),
        "goal_share": Sum("part"),
        "goal_share_sq": Sum(F("part") * F("part")),
    }
