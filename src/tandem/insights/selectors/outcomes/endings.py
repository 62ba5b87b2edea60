"""How mentorships ended: completion and early-ending rates, what the early endings were
(who ended them, at which stage, whether the mentee asked for a new mentor) and the re-match
rate.

The end reason a person wrote is never read: it is free text, private to the program's admins
and the person who wrote it. The categories come from the reason category chosen from a short
list when it ended (``Mentorship.end_category``), from facts the admins already see on each
mentorship's page (who ended it, whether it had started) and from the mentee's yes/no answer to
"Would you like a new mentor?".
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from tandem.insights.scope import InsightScope
from tandem.insights.tables import (
    Column,
    ColumnKind,
    InsightTable,
    add_counted_rows,
    counted_table,
    share,
)
from tandem.mentorships.models import Mentorship, MentorshipState
from tandem.mentorships.models.mentorships import EndCategory
from tandem.programs.models import Enrolment, Role

NO_ENDINGS = "No mentorship ended in these quarters."
UNRECORDED = "Not recorded (ended before a reason was asked)"
NO_EARLY_ENDINGS = "No mentorship ended early in these quarters."
NO_MENTEES_ENDED_EARLY = (
    "No mentee who joined in these quarters has had a mentorship end early (yet)."
)


MENTORSHIPS = Column("mentorships", "Mentorships")


def _mentorships(scope: InsightScope) -> QuerySet[Mentorship]:
    """The scope's mentorships but those it leaves out (the reader's own: how one ended early
    is the choice or the answer of one side, private from the other)."""
    return Mentorship.objects.filter(program_id__in=scope.program_ids).exclude(
        pk__in=scope.left_out
    )


def _ended(scope: InsightScope) -> QuerySet[Mentorship]:
    return (
        _mentorships(scope)
        .filter(
            state__in=(MentorshipState.COMPLETED, MentorshipState.ENDED_EARLY),
            ended_at__isnull=False,
        )
        .filter(scope.within("ended_at"))
    )


def _endings_table(scope: InsightScope) -> InsightTable:
    table = counted_table(
        key="endings",
        title="Completion and early endings",
        summary=(
            "The mentorships that ended in these quarters: how many were completed and how "
            "many ended early, each as a share of all that ended."
        ),
        labels=[Column("ending", "How it ended", ColumnKind.TEXT)],
        count=MENTORSHIPS,
        share_label="Share of those that ended",
    )
    counts = _ended(scope).aggregate(
        completed=Count("pk", filter=Q(state=MentorshipState.COMPLETED)),
        early=Count("pk", filter=Q(state=MentorshipState.ENDED_EARLY)),
    )
    total = counts["completed"] + counts["early"]
    ended = [("Completed", counts["completed"]), ("Ended early", counts["early"])]
    add_counted_rows(table, ended, total=total)
    if not total:
        table.notes.append(NO_ENDINGS)
    return table


def _early_end_counts(scope: InsightScope) -> dict[str, int]:
    """Every count of the early endings in one aggregate query."""
    early = Q(state=MentorshipState.ENDED_EARLY)
    by_pair = Q(ended_by=F("mentee")) | Q(ended_by=F("mentor"))
    return _ended(scope).aggregate(
        total=Count("pk", filter=early),
        by_mentee=Count("pk", filter=early & Q(ended_by=F("mentee"))),
        by_mentor=Count("pk", filter=early & Q(ended_by=F("mentor"))),
        by_admin=Count("pk", filter=early & Q(ended_by__isnull=False) & ~by_pair),
        by_gone=Count("pk", filter=early & Q(ended_by__isnull=True)),
        started=Count("pk", filter=early & Q(activated_at__isnull=False)),
        wants_new=Count("pk", filter=early & Q(early_end_feedback__wants_new_mentor=True)),
        unrecorded=Count("pk", filter=early & Q(end_category="")),
        **{
            f"reason_{value}": Count("pk", filter=early & Q(end_category=value))
            for value in EndCategory.values
        },
    )


SHARE_OF_EARLY = "Share of early endings"


def _reasons_table(counts: dict[str, int]) -> InsightTable:
    table = counted_table(
        key="early_end_reasons",
        title="Why mentorships ended early",
        summary=(
            "The mentorships that ended early in these quarters, by the reason whoever ended "
            "them chose from a short list (the words they wrote are never read), each as a "
            "share of all early endings."
        ),
        labels=[Column("reason", "Reason", ColumnKind.TEXT)],
        count=MENTORSHIPS,
        share_label=SHARE_OF_EARLY,
        chart="hbar",
    )
    rows = [(label, counts[f"reason_{value}"]) for value, label in EndCategory.choices]
    rows.append((UNRECORDED, counts["unrecorded"]))
    add_counted_rows(table, rows, total=counts["total"])
    if not counts["total"]:
        table.notes.append(NO_EARLY_ENDINGS)
    return table


def _early_end_table(counts: dict[str, int]) -> InsightTable:
    table = counted_table(
        key="early_endings",
        title="Who ended them, and when",
        summary=(
            "The mentorships that ended early in these quarters, by who ended them (the "
            "mentee, the mentor or a program admin outside the pair), by whether the pair had "
            "started (agreement signed by both) or was still agreeing its terms, and how many "
            "mentees asked for a new mentor afterwards. Each share is of all early endings."
        ),
        labels=[
            Column("group", "Grouped by", ColumnKind.TEXT),
            Column("category", "Category", ColumnKind.TEXT),
        ],
        count=MENTORSHIPS,
        share_label=SHARE_OF_EARLY,
        chart="hbar",
        x="category",
    )
    total = counts["total"]
    rows = [
        ("Who ended it", "The mentee", counts["by_mentee"]),
        ("Who ended it", "The mentor", counts["by_mentor"]),
        ("Who ended it", "A program admin", counts["by_admin"]),
        ("Who ended it", "A person no longer on the site", counts["by_gone"]),
        ("Stage", "After it started", counts["started"]),
        ("Stage", "While agreeing the terms", total - counts["started"]),
        ("Afterwards", "The mentee asked for a new mentor", counts["wants_new"]),
    ]
    add_counted_rows(table, rows, total=total)
    if not total:
        table.notes.append(NO_EARLY_ENDINGS)
    return table


LATER = "mentee__mentorships_as_mentee__"


def _rematched() -> Q:
    """Joined to each of the mentee's mentorships: one in the same program, with another
    mentor, proposed at or after this one ended (in any state since). A join on the mentee's
    mentorships (indexed), not a subquery per early ending."""
    other_mentor = Q(**{f"{LATER}mentor__lt": F("mentor")}) | Q(
        **{f"{LATER}mentor__gt": F("mentor")}
    )
    return (
        Q(**{f"{LATER}program": F("program")})
        & Q(**{f"{LATER}created_at__gte": F("ended_at")})
        & other_mentor
    )


def _rematch_table(scope: InsightScope) -> InsightTable:
    table = InsightTable(
        key="rematch",
        title="Re-matches after an early ending",
        summary=(
            "Mentees who joined in these quarters and had a mentorship end early (at any time), "
            "and how many of them were re-matched: given a mentorship with another mentor in "
            "the same program, proposed after the early ending. A person in two programs counts "
            "once in each."
        ),
        columns=[
            Column("ended_early", "Mentees with an early ending"),
            Column("rematched", "Re-matched"),
            Column("rate", "Re-match rate", ColumnKind.RATE),
        ],
    )
    joined = Enrolment.objects.filter(
        program=OuterRef("program"), person=OuterRef("mentee"), role=Role.MENTEE
    ).filter(scope.within("created_at"))
    per_program = (
        _mentorships(scope)
        .filter(state=MentorshipState.ENDED_EARLY, ended_at__isnull=False)
        .filter(Exists(joined))
        .values("program")
        .annotate(
            mentees=Count("mentee", distinct=True),
            rematched_mentees=Count("mentee", distinct=True, filter=_rematched()),
        )
        .order_by()
    )
    mentees = rematched = 0
    for row in per_program:  # one row per program: a site's total adds the programs up
        mentees += row["mentees"]
        rematched += row["rematched_mentees"]
    table.rows.append(
        {"ended_early": mentees, "rematched": rematched, "rate": share(rematched, mentees)}
    )
    if not mentees:
        table.notes.append(NO_MENTEES_ENDED_EARLY)
    return table


def ending_tables(scope: InsightScope) -> list[InsightTable]:
    counts = _early_end_counts(scope)
    return [
        _endings_table(scope),
        _reasons_table(counts),
        _early_end_table(counts),
        _rematch_table(scope),
    ]
