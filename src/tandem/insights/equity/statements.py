"""The sentence that says a group's released difference from everyone else in plain words."""

from __future__ import annotations

from tandem.insights.equity.intervals import Difference
from tandem.insights.equity.metrics import Metric


def _number(value: float, decimals: int = 1) -> str:
    """With a typographic minus, and never "−0.0" (a difference rounding to nothing)."""
    if round(value, decimals) == 0:
        value = 0.0
    return f"{value:.{decimals}f}".replace("-", "−")


def statement(metric: Metric, name: str, difference: Difference) -> str:
    """The difference in plain words.

    >>> from tandem.insights.equity.metrics import METRICS
    >>> time = METRICS[1]
    >>> statement(time, "parent", Difference(2.1, 0.8, 3.4))
    'Mentees who shared “parent” waited 2.1 weeks longer to be matched (95 % interval 0.8–3.4).'
    >>> statement(time, "parent", Difference(-2.1, -3.4, -0.8))
    'Mentees who shared “parent” waited 2.1 weeks less to be matched (95 % interval 0.8–3.4).'
    >>> statement(METRICS[0], "parent", Difference(0.05, -0.02, 0.12))
    'No clear difference in match rate between mentees who shared “parent” and everyone else: \
the difference is 5.0 percentage points (95 % interval −2.0 to 12.0), and the interval \
includes zero.'
    """
    estimate, low, high = (
        x * metric.scale for x in (difference.estimate, difference.low, difference.high)
    )
    if not difference.clear:
        return (
            f"No clear difference in {metric.title.lower()} between mentees who shared “{name}” "
            f"and everyone else: the difference is {_number(estimate, metric.decimals)} "
            f"{metric.unit} (95 % interval {_number(low, metric.decimals)} to "
            f"{_number(high, metric.decimals)}), and the interval includes zero."
        )
    if estimate < 0:
        phrase, estimate, low, high = metric.down, -estimate, -high, -low
    else:
        phrase = metric.up
    size, low_text, high_text = (_number(x, metric.decimals) for x in (estimate, low, high))
    return (
        f"Mentees who shared “{name}” {phrase.format(x=f'{size} {metric.unit}')} "
        f"(95 % interval {low_text}–{high_text})."
    )
