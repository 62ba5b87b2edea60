"""The funnel section: invited → joined → profile complete → matched → agreement signed →
first meeting → completed, with early endings and mentorships still active as outcomes of
their own; for mentees and, separately, for mentors (docs/insights/funnel.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from tandem.insights.scope import InsightScope
from tandem.insights.selectors.funnel.days import (
    DaysBetween,
    column_counts,
    day_counts,
    days_in,
    median_of,
)
from tandem.insights.selectors.funnel.steps import (
    ROLES,
    TIMED_STEPS,
    active_now,
    cohort,
    flag,
    person_steps,
    profile_complete,
)
from tandem.insights.tables import Cell, Chart, Column, ColumnKind, InsightTable
from tandem.programs.models import ParticipantInvitation, Role


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    base: str | None  # the step this one is compared with (and timed from)
    days: str | None = None  # the column of whole days from the base step (None: no time)
    flag: str | None = None  # the 0/1 column saying it is reached (None: its time says so)


STEPS = (
    Step("joined", "Joined", None),
    Step("profile", "Profile complete", "joined", flag="profile_done"),
    Step("matched", "Matched", "joined", "joined_matched"),
    Step("signed", "Agreement signed", "matched", "matched_signed"),
    Step("met", "First meeting held", "signed", "signed_met"),
    Step("completed", "Completed", "met", "met_completed"),
    Step("ended_early", "Ended early", "matched", "matched_ended_early"),
    Step("active_now", "Active now", "signed", flag="active_now"),
)
# Columns of whole days per person: from joining to each step (NULL: not reached), and
# between the steps the table compares.
GAPS = {f"joined_{step}": (step, "created") for step in TIMED_STEPS} | {
    "matched_signed": ("signed", "matched"),
    "signed_met": ("met", "signed"),
    "met_completed": ("completed", "met"),
    "matched_ended_early": ("ended_early", "matched"),
}
LABELS = {step.key: step.label for step in STEPS} | {
    "invited": "Invited",
    "accepted": "Accepted invitation",
}

COLUMNS = [
    Column("step", "Step", ColumnKind.TEXT),
    Column("people", "People"),
    Column("compared_with", "Compared with", ColumnKind.TEXT),
    Column("share_of_base", "Of that step", ColumnKind.RATE),
    Column("share_of_joined", "Of all joined", ColumnKind.RATE),
    Column("median_days", "Median days since", ColumnKind.DAYS),
    Column("timed", "People timed"),
]

SUMMARY = (
    "{people} who joined in the chosen quarters and how far they got. Each step counts the "
    "people who reached it with any of their mentorships in the program; 'Of that step' "
    "compares it with the step under 'Compared with', 'Of all joined' with everyone who "
    "joined, and 'Median days since' is the time spent at that step: the median whole days "
    "from reaching it to reaching this one, among the people who reached both."
)
NOTES = [
    "A step counts whoever reached it, whether or not they passed the step listed above it "
    "(a person can be matched with an incomplete profile), so a step can hold more people.",
    "Invitations are personal invitations sent in the quarters; people who joined through a "
    "shareable link or on their own were never invited one by one, so 'Joined' is the start "
    "every share of all who joined is taken from.",
    "Profile complete is read as it is now: Tandem keeps no time at which a profile became "
    "complete, so the time from joining is shown on 'Matched' and not split at this step.",
    "Tandem makes a mentorship active at the instant both sign its agreement, so the two are "
    "one step; 'Active now' counts people with a mentorship active today. 'Ended early' and "
    "'Active now' are outcomes, not further steps.",
    "Medians are read from counts per whole day computed in the database: the middle person's "
    "day (the mean of the two middle days for an even number); under a whole day counts as 0.",
]
NO_DATA = "Nobody joined in this role in the chosen quarters: there is nothing to count."


def funnel_tables(scope: InsightScope) -> list[InsightTable]:
    now = timezone.now()
    invited = _invitations(scope)
    return [_funnel(scope, role, now, invited.get(role, {})) for role in ROLES]


def _invitations(scope: InsightScope) -> dict[str, dict[str, int | float | None]]:
    """Per role: invitations sent in the quarters, how many were accepted, and the median
    days from sending to accepting."""
    sent = ParticipantInvitation.objects.filter(
        scope.within("sent_at"),
        program_id__in=scope.program_ids,
        role__in=ROLES,
        sent_at__isnull=False,  # held or scheduled: invited nobody yet
    )
    counts = (
        sent.order_by()
        .values("role")
        .annotate(invited=Count("pk"), accepted=Count("pk", filter=Q(accepted_at__isnull=False)))
    )
    days = day_counts(sent, DaysBetween(F("accepted_at"), F("sent_at")), by="role")
    return {
        row["role"]: {
            "invited": row["invited"],
            "accepted": row["accepted"],
            "days": median_of(days.get(row["role"], {})),
            "timed": sum(days.get(row["role"], {}).values()),
        }
        for row in counts
    }


def _funnel(
    scope: InsightScope, role: str, now: datetime, invited: dict[str, int | float | None]
) -> InsightTable:
    people = person_steps(cohort(scope, role), role, now=now).annotate(
        profile_done=Max(flag(profile_complete())),  # an aggregate: not grouped by
        active_now=active_now(role),
        **{
            column: DaysBetween(F(f"{later}_at"), F(f"{earlier}_at"))
            for column, (later, earlier) in GAPS.items()
        },
    )
    counts = column_counts(people, ["profile_done", "active_now", *GAPS])
    joined = sum(counts["profile_done"].values())
    reached = {"joined": joined} | {
        step.key: counts[step.flag].get(1, 0)
        if step.flag
        else joined - counts[f"joined_{step.key}"].get(None, 0)
        for step in STEPS[1:]
    }
    rows = _invitation_rows(invited, joined)
    for step in STEPS:
        days = days_in(counts[step.days]) if step.days else None
        base = reached[step.base] if step.base else None
        rows.append(_row(step.key, reached[step.key], step.base, base, joined, days))
    name = "Mentees" if role == Role.MENTEE else "Mentors"
    return InsightTable(
        key=f"{role}_funnel",
        title=f"{name}' funnel",
        summary=SUMMARY.format(people=name),
        columns=COLUMNS,
        rows=rows,
        chart=Chart("hbar", x="step", series=("people",), y_label="People"),
        notes=NOTES if joined else [NO_DATA, *NOTES],
    )


def _invitation_rows(invited: dict[str, int | float | None], joined: int) -> list[dict[str, Cell]]:
    sent = int(invited.get("invited") or 0)
    accepted = int(invited.get("accepted") or 0)
    return [
        {
            "step": LABELS["invited"],
            "people": sent,
            "compared_with": None,
            "share_of_base": None,
            "share_of_joined": None,
            "median_days": None,
            "timed": None,
        },
        {
            "step": LABELS["accepted"],
            "people": accepted,
            "compared_with": LABELS["invited"],
            "share_of_base": _share(accepted, sent),
            "share_of_joined": _share(accepted, joined),
            "median_days": invited.get("days"),
            "timed": int(invited.get("timed") or 0) if sent else None,
        },
    ]


def _row(
    key: str,
    people: int,
    base_key: str | None,
    base: int | None,
    joined: int,
    days: dict[int, int] | None,
) -> dict[str, Cell]:
    return {
        "step": LABELS[key],
        "people": people,
        "compared_with": LABELS[base_key] if base_key else None,
        "share_of_base": _share(people, base) if base is not None else None,
        "share_of_joined": _share(people, joined),
        "median_days": median_of(days) if days else None,
        "timed": sum(days.values()) if days is not None else None,
    }


def _share(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None
