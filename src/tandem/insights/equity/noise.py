"""Released figures: each group's figure with keyed Laplace noise, rounded as the page shows it.

An exact mean with its group size and Welch interval singles out the group: someone who knows
every mentee's wait (or score) tries every subset of that size, and one subset fits (a privacy
review named seven members so). So the group's *sum* behind a bounded figure is released with
noise, drawn from a keyed PRNG (an HMAC, under a key derived from the site's secret, of the
group, the figure and the programs and quarters where the group has people for it): re-reading,
or reading the same people through another range or scope, gives the same number, so there is
nothing to average. One person swapped into or out of the group moves the sum by at most the
figure's ``bounds`` width; the noise's scale is that width over ``EPSILON``, so each released
cell is ``EPSILON``-differentially private for such a swap (docs/insights/equity.md says what
that composes to). Everyone else's figure is the scope's total minus the noisy sum, the
difference and its interval come from those (the interval widened by the noise), and every
number is rounded to the page's precision, so the page, the API and the exports agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import scipy as sp

from tandem.core.noise import laplace as laplace  # the draw, shared with other releases
from tandem.insights.equity.intervals import Z95, Difference, Moments, newcombe
from tandem.insights.equity.metrics import Kind, Metric

EPSILON = 1.0  # per draw (group, figure, the programs and quarters where it has people)
NOISE_VERSION = "equity-noise-v1"  # in every key: a new version draws new noise everywhere


def places(metric: Metric) -> int:
    """Decimals a figure is released with: those the page shows (a rate as a percentage with
    one decimal is three decimals of the share; weeks one; scores two)."""
    return metric.decimals + round(math.log10(metric.scale))


@dataclass(frozen=True)
class Released:
    """One group's figure against everyone else, as published (rounded)."""

    value: float
    rest_value: float
    difference: Difference | None


def release(metric: Metric, group: Moments, everyone: Moments, draw: float) -> Released:
    """The figure of ``group`` against the rest of ``everyone`` with ``draw`` (a standard
    Laplace sample) times the metric's noise scale added to the group's sum; exact (only
    rounded) for a figure without ``bounds``. Both sides have people (the primary rule)."""
    rest_n = everyone.n - group.n
    if metric.bounds is None:
        total, scale, spread = group.total, 0.0, 0.0
    else:
        low, high = metric.bounds
        scale = (high - low) / EPSILON  # the Laplace scale
        # Clipped to what the public totals allow: post-processing, so no privacy is lost.
        floor = max(group.n * low, everyone.total - rest_n * high)
        ceiling = min(group.n * high, everyone.total - rest_n * low)
        total = min(max(group.total + draw * scale, floor), ceiling)
        spread = math.sqrt(2.0) * scale * (1 / group.n + 1 / rest_n)  # the noise's sd
    rest_total = everyone.total - total
    exact: Difference | None
    if metric.kind is Kind.RATE:
        exact = newcombe(total, group.n, rest_total, rest_n)
    else:
        exact = _pooled(everyone, group.n, rest_n, total / group.n - rest_total / rest_n)
    difference = None if exact is None else _widened(exact, Z95 * spread, metric.bounds)
    digits = places(metric)
    return Released(
        round(total / group.n, digits),
        round(rest_total / rest_n, digits),
        None if difference is None else _rounded(difference, digits),
    )


def _pooled(everyone: Moments, n1: float, n2: float, estimate: float) -> Difference | None:
    """The difference's interval from the scope's spread over everyone (the group's own spread
    would be one more figure about its members), on ``n1 + n2 - 2`` degrees of freedom."""
    variance = everyone.variance
    if variance is None or n1 < 2 or n2 < 2:
        return None
    half = float(sp.stats.t.ppf(0.975, n1 + n2 - 2)) * math.sqrt(variance * (1 / n1 + 1 / n2))
    return Difference(estimate, estimate - half, estimate + half)


def _widened(
    difference: Difference, noise: float, bounds: tuple[float, float] | None
) -> Difference:
    """Each side of the interval with the noise's own 95 % half-width added in quadrature, and
    kept within the differences the bounds allow."""
    d = difference.estimate
    most = math.inf if bounds is None else bounds[1] - bounds[0]
    return Difference(
        d,
        max(d - math.hypot(d - difference.low, noise), -most),
        min(d + math.hypot(difference.high - d, noise), most),
    )


def _rounded(difference: Difference, digits: int) -> Difference:
    return Difference(
        round(difference.estimate, digits),
        round(difference.low, digits),
        round(difference.high, digits),
    )
