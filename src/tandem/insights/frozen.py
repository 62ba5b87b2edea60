"""Frozen final cohorts and kept release decisions: the equity figures' only state.

A quarter is frozen once, when its cohort is first needed after becoming final (by the periodic
``equity_refresh`` or a page's computation), and read from then on instead of the database's
rows. Two processes freezing one quarter race on its unique ``EquityQuarter`` row: the loser's
sums are dropped and both read back the winner's, so every process shows the same figures.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

import numpy as np
from django.db import transaction
from django.utils import timezone

from tandem.insights.equity.family import EquityData
from tandem.insights.equity.frozen import CohortSums
from tandem.insights.equity.metrics import METRICS
from tandem.insights.equity.suppression import Decisions
from tandem.insights.models import EquityCohort, EquityQuarter, EquityRelease


def last_frozen_quarter() -> int | None:
    return EquityQuarter.objects.order_by("-quarter").values_list("quarter", flat=True).first()


def frozen_cohorts_freeze(
    *, quarters: range, cohorts: list[CohortSums], named: Mapping[int, tuple[str, ...]]
) -> None:
    """Freeze ``quarters`` (their ``cohorts``, a quarter without any frozen empty, and the
    groups each may name), each in one transaction; a quarter frozen already keeps what it
    holds."""
    for quarter in quarters:
        with transaction.atomic():
            _, created = EquityQuarter.objects.get_or_create(
                quarter=quarter,
                defaults={"frozen_at": timezone.now(), "named": list(named.get(quarter, ()))},
            )
            if created:
                EquityCohort.objects.bulk_create(
                    EquityCohort(
                        quarter=c.quarter,
                        program=c.program,
                        totals=c.totals,
                        groups=c.groups,
                        combos=[list(combo) for combo in c.combos],
                    )
                    for c in cohorts
                    if c.quarter == quarter
                )


def frozen_cohorts(final: int) -> list[CohortSums]:
    """Every frozen cohort up to quarter ``final``."""
    return [
        CohortSums(
            row.quarter,
            row.program,
            row.totals,
            row.groups,
            tuple(tuple(combo) for combo in row.combos),
        )
        for row in EquityCohort.objects.filter(quarter__lte=final).order_by("quarter", "program")
    ]


def frozen_names(final: int) -> dict[int, tuple[str, ...]]:
    """The groups each frozen quarter up to ``final`` may name (quarter -> groups)."""
    rows = EquityQuarter.objects.filter(quarter__lte=final).values_list("quarter", "named")
    return {quarter: tuple(named) for quarter, named in rows}


class ReleaseStore:
    """Each release's complete decisions in the database, by the quarters it covers (its family
    is built from frozen cohorts alone, so it is the same whenever it is read). A metric added
    to the rules after a release was decided is withheld in that release."""

    def get(self, part: EquityData) -> Decisions | None:
        first, last = _quarters(part)
        row = EquityRelease.objects.filter(first_quarter=first, last_quarter=last).first()
        return None if row is None else _decisions(row, part)

    def keep(self, part: EquityData, decisions: Decisions) -> Decisions:
        """Store ``decisions`` unless another process stored this release first; returns the
        stored ones."""
        first, last = _quarters(part)
        row, _ = EquityRelease.objects.get_or_create(
            first_quarter=first,
            last_quarter=last,
            defaults={
                "withheld": {key: _packed(mask) for key, mask in decisions.withheld.items()},
                "exposed": sorted(list(item) for item in decisions.exposed),
                "decided_at": timezone.now(),
            },
        )
        return _decisions(row, part)


def _quarters(part: EquityData) -> tuple[int, int]:
    return (
        part.first_quarter,
        part.first_quarter + part.quarters - 1 if part.final is None else part.final,
    )


def _packed(mask: np.ndarray) -> str:
    """A mask as base64 bits: a family of many quarters, programs and groups has millions."""
    return base64.b64encode(np.packbits(mask.reshape(-1)).tobytes()).decode()


def _decisions(row: EquityRelease, part: EquityData) -> Decisions:
    shape = (part.scopes, len(part.ranges), len(part.names))

    def mask(key: str) -> np.ndarray:
        if key not in row.withheld:
            return np.ones(shape, dtype=bool)
        bits = np.frombuffer(base64.b64decode(row.withheld[key]), dtype=np.uint8)
        return np.unpackbits(bits, count=int(np.prod(shape))).astype(bool).reshape(shape)

    return Decisions(
        withheld={metric.key: mask(metric.key) for metric in METRICS},
        exposed=frozenset((str(q), int(s), int(r), int(g)) for q, s, r, g in row.exposed),
    )
