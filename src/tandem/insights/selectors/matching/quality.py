"""How good the matches are: the fit of the pairs cohort runs made (self-serve requests carry
no score), and the reasons most often decisive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.db import NotSupportedError
from django.db.models import Avg, CharField, Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import Floor

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.funnel.days import median_of
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable
from tandem.matching.explain import TOP_REASONS as TOP_STRENGTHS
from tandem.matching.fit import FIT_BANDS
from tandem.matching.sentences import STRENGTH
from tandem.matching.weights import CRITERIA
from tandem.matchruns.engine import FIT, PRIVATE
from tandem.matchruns.models import MatchPair, RunStatus
from tandem.mentorships.models import Mentorship

CRITERION_LABELS = {
    "goals": "Goals and expertise",
    "skills": "Skills wanted and offered",
    "availability": "Shared weekly hours",
    "cadence": "Meeting rhythm",
    "format": "Meeting format and city",
    "seniority": "Seniority",
    "working_style": "Working style",
}
SHOWN = tuple(name for name in CRITERIA if name not in PRIVATE)  # identity: never a reason
NO_STRENGTH = "No strength stood out"
OLDER = "Older runs (reasons not ranked)"
NO_PAIRS = "No match run was published in the chosen quarters: there are no scored pairs."


def published_pairs(scope: InsightScope) -> QuerySet[MatchPair]:
    """The pairs of the runs published in the quarters: each became a mentorship."""
    return MatchPair.objects.filter(
        scope.within("run__published_at"),
        run__program_id__in=scope.program_ids,
        run__status=RunStatus.PUBLISHED,
    )


def quality_tables(scope: InsightScope) -> list[InsightTable]:
    pairs = published_pairs(scope)
    points = dict(
        pairs.order_by()
        # A pair's fit as pages show it: its score in hundredths, halves rounded up.
        .values(points=Floor(F("score") * Value(100.0) + Value(0.5)))
        .annotate(n=Count("pk"))
        .values_list("points", "n")
    )
    fits: dict[int, int] = {}
    for value, n in points.items():
        clipped = min(max(int(value), 0), 100)
        fits[clipped] = fits.get(clipped, 0) + n
    return [_bands(fits), _origins(scope, pairs, fits), reasons_table(pairs)]


def _bands(fits: dict[int, int]) -> InsightTable:
    scored = sum(fits.values())
    rows: list[dict[str, Cell]] = []
    top = 100
    for lowest, label, _ in FIT_BANDS:
        n = sum(count for fit, count in fits.items() if lowest <= fit <= top)
        rows.append(
            {
                "band": f"{label} ({lowest} to {top})",
                "pairs": n,
                "share": n / scored if scored else None,
            }
        )
        top = lowest - 1
    return InsightTable(
        key="match_quality",
        title="Match quality",
        summary=(
            "The pairs made by match runs published in the chosen quarters, by their fit "
            "(the score out of 100 the pages show, in the same bands); shares are of those pairs."
        ),
        columns=[
            Column("band", "Fit", ColumnKind.TEXT),
            Column("pairs", "Pairs"),
            Column("share", "Share of scored pairs", ColumnKind.RATE),
        ],
        rows=rows,
        chart=Chart("bar", x="band", series=("pairs",), y_label="Pairs"),
        notes=[] if scored else [NO_PAIRS],
    )


def _origins(scope: InsightScope, pairs: QuerySet[MatchPair], fits: dict[int, int]) -> InsightTable:
    made = Mentorship.objects.filter(
        scope.within("created_at"), program_id__in=scope.program_ids
    ).aggregate(
        run=Count("pk", filter=~Q(match_run_ref="")),
        request=Count("pk", filter=Q(match_run_ref="", origin_request__isnull=False)),
        other=Count("pk", filter=Q(match_run_ref="", origin_request__isnull=True)),
    )
    mean = pairs.aggregate(mean=Avg("score"))["mean"]
    scored = sum(fits.values())
    rows: list[dict[str, Cell]] = [
        {
            "origin": "Cohort match runs",
            "mentorships": made["run"],
            "scored": scored,
            "median_fit": median_of(fits),
            "mean_fit": round(100 * mean, 1) if mean is not None else None,
        },
        {
            "origin": "Self-serve requests (not scored)",
            "mentorships": made["request"],
            "scored": None,
            "median_fit": None,
            "mean_fit": None,
        },
        {
            "origin": "Made another way (not scored)",
            "mentorships": made["other"],
            "scored": None,
            "median_fit": None,
            "mean_fit": None,
        },
    ]
    return InsightTable(
        key="match_quality_by_origin",
        title="Match quality by how the pair was made",
        summary=(
            "Mentorships made in the chosen quarters by how they came about, and the fit of "
            "those a match run made: its pair's score is kept with the run. A request "
            "accepted keeps no score, so self-serve pairs are counted but not scored."
        ),
        columns=[
            Column("origin", "Made by", ColumnKind.TEXT),
            Column("mentorships", "Mentorships"),
            Column("scored", "Pairs with a score"),
            Column("median_fit", "Median fit", ColumnKind.NUMBER),
            Column("mean_fit", "Mean fit", ColumnKind.NUMBER),
        ],
        rows=rows,
        notes=[
            "Fits run from 0 to 100; the median is read from counts per whole point (the "
            "middle pair's, or the mean of the two middle ones); the mean is of the exact scores."
        ],
    )


class ReasonText(Func):
    """The text under ``key`` in the reason at ``position`` of a stored reasons list (NULL when
    there is none): one JSON lookup, the same on SQLite and PostgreSQL."""

    output_field = CharField()

    def __init__(self, field: str, position: int, key: str) -> None:
        if not key.isidentifier():
            raise ValueError(f"not a reason key: {key!r}")
        self.position, self.key = int(position), key
        super().__init__(F(field))

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        if connection.vendor == "postgresql":
            return f"(({column}) -> {self.position} ->> '{self.key}')", tuple(params)
        if connection.vendor == "sqlite":
            return f"JSON_EXTRACT({column}, '$[{self.position}].{self.key}')", tuple(params)
        raise NotSupportedError(f"ReasonText has no SQL for {connection.vendor}")


def reasons_table(pairs: QuerySet[MatchPair]) -> InsightTable:
    """Per criterion: how often it was the pair's strongest reason and how often among its
    strengths. A run keeps a pair's reasons as the fit row, then up to three strengths
    (strongest first), then up to three concerns; the pairs are counted per distinct lead
    (the fit row's kind and the first three reasons), a few hundred groups at most."""
    positions = range(TOP_STRENGTHS + 1)
    leads = {f"kind_{i}": ReasonText("reasons", i, "kind") for i in positions} | {
        f"criterion_{i}": ReasonText("reasons", i, "criterion") for i in positions if i
    }
    grouped = cast(
        Iterable[dict[str, Any]], pairs.order_by().values(**leads).annotate(n=Count("pk"))
    )
    total, first, among = 0, dict.fromkeys(SHOWN, 0), dict.fromkeys(SHOWN, 0)
    none = older = 0
    for lead in grouped:
        n = lead["n"]
        total += n
        if lead["kind_0"] != FIT:
            older += n
            continue
        strengths = [
            lead[f"criterion_{i}"] for i in positions if i and lead[f"kind_{i}"] == STRENGTH
        ]
        if lead["kind_1"] != STRENGTH:
            none += n
        elif strengths[0] in first:
            first[strengths[0]] += n
        for criterion in strengths:
            if criterion in among:
                among[criterion] += n
    rows: list[dict[str, Cell]] = [
        {
            "reason": CRITERION_LABELS[name],
            "decisive": first[name],
            "share_decisive": first[name] / total if total else None,
            "among_strengths": among[name],
        }
        for name in SHOWN
    ]
    rows.sort(key=lambda row: -int(row["decisive"] or 0))
    for label, n in ((NO_STRENGTH, none), (OLDER, older)):
        rows.append(
            {
                "reason": label,
                "decisive": n,
                "share_decisive": n / total if total else None,
                "among_strengths": None,
            }
        )
    return InsightTable(
        key="decisive_reasons",
        title="Reasons most often decisive",
        summary=(
            "For the pairs of match runs published in the chosen quarters: how often each "
            "criterion was the strongest reason the run gave for the pair (its decisive "
            "reason), and how often it was among the pair's strengths (up to three)."
        ),
        columns=[
            Column("reason", "Criterion", ColumnKind.TEXT),
            Column("decisive", "Strongest reason"),
            Column("share_decisive", "Share of pairs", ColumnKind.RATE),
            Column("among_strengths", "Among the strengths"),
        ],
        rows=rows,
        chart=Chart("hbar", x="reason", series=("decisive",), y_label="Pairs"),
        notes=[] if total else [NO_PAIRS],
    )
