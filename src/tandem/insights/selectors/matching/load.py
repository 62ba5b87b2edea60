"""Mentors' load against their capacity, today."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.funnel.steps import cohort
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable
from tandem.mentorships.models import OPEN_STATES, Mentorship
from tandem.programs.models import Enrolment, EnrolmentStatus, Role

LOADS = (
    ("no_places", "No places (capacity 0)"),
    ("idle", "No mentee"),
    ("under_half", "Under half full"),
    ("half", "Half full or more"),
    ("full", "Full"),
    ("over", "Over capacity"),
)
NO_MENTORS = "No active mentor joined in the chosen quarters."


def _mentors(scope: InsightScope) -> QuerySet[Enrolment]:
    """Active mentor enrolments made in the quarters, with ``taken`` (open mentorships: agreeing
    the terms or active) and ``places`` (the enrolment's capacity, else the program's)."""
    taken = (
        Mentorship.objects.filter(
            program=OuterRef("program"), mentor=OuterRef("person"), state__in=OPEN_STATES
        )
        .order_by()
        .values("mentor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        cohort(scope, Role.MENTOR)
        .filter(status=EnrolmentStatus.ACTIVE)
        .annotate(
            taken=Coalesce(Subquery(taken, output_field=IntegerField()), 0),
            places=Coalesce("capacity", "program__default_capacity"),
        )
    )


def load_tables(scope: InsightScope) -> list[InsightTable]:
    mentors = _mentors(scope)
    load = Case(
        When(places=0, then=Value("no_places")),
        When(taken=0, then=Value("idle")),
        When(taken__lt=F("places") / 2.0, then=Value("under_half")),
        When(taken__lt=F("places"), then=Value("half")),
        When(taken=F("places"), then=Value("full")),
        default=Value("over"),
    )
    counts = dict(
        mentors.order_by().values(load=load).annotate(n=Count("pk")).values_list("load", "n")
    )
    totals = mentors.aggregate(n_mentors=Count("pk"), n_places=Sum("places"), n_taken=Sum("taken"))
    everyone = totals["n_mentors"]
    rows: list[dict[str, Cell]] = [
        {
            "load": label,
            "mentors": counts.get(key, 0),
            "share": counts.get(key, 0) / everyone if everyone else None,
        }
        for key, label in LOADS
    ]
    places, taken = totals["n_places"] or 0, totals["n_taken"] or 0
    notes = [] if everyone else [NO_MENTORS]
    return [
        InsightTable(
            key="mentor_load",
            title="Mentors' load against capacity",
            summary=(
                "Active mentors who joined in the chosen quarters, by their open mentorships "
                "(agreeing the terms or active) today against their capacity (their own, else "
                "the program's): under half full means fewer than half the places taken."
            ),
            columns=[
                Column("load", "Load", ColumnKind.TEXT),
                Column("mentors", "Mentors"),
                Column("share", "Share of mentors", ColumnKind.RATE),
            ],
            rows=rows,
            chart=Chart("bar", x="load", series=("mentors",), y_label="Mentors"),
            notes=notes,
        ),
        InsightTable(
            key="mentor_places",
            title="Mentors' places taken",
            summary=(
                "The same mentors' places added up: how many there are, how many open "
                "mentorships take one today, and the share taken."
            ),
            columns=[
                Column("mentors", "Mentors"),
                Column("places", "Places"),
                Column("taken", "Places taken"),
                Column("share_taken", "Share taken", ColumnKind.RATE),
            ],
            rows=[
                {
                    "mentors": everyone,
                    "places": places,
                    "taken": taken,
                    "share_taken": taken / places if places else None,
                }
            ],
            notes=notes,
        ),
    ]
