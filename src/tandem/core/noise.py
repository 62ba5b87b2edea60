"""Keyed Laplace noise: the one mechanism behind every figure released with noise (the equity
report's, ``insights.equity.noise``; the check-in figures', ``feedback.selectors.answer_noise``).

A threshold ("at least five people") counts accounts one person may control: someone who adds
four accounts of their own with known values to a figure of five reads the fifth exactly. So a
figure about private values is released with Laplace noise scaled to what one person can move
it by. The draw comes from an HMAC, under a key derived from the site's secret, of a label that
names the figure: re-reading it gives the same number, so there is nothing to average away.
"""

from __future__ import annotations

import math

from django.utils.crypto import salted_hmac


def laplace(digest: bytes, scale: float) -> float:
    """A Laplace draw of ``scale`` fixed by ``digest`` (a keyed hash of the cell, 8 bytes or
    more): the same every time.

    >>> laplace(bytes(8), 1.0) == laplace(bytes(8), 1.0) != laplace(bytes(range(8)), 1.0)
    True
    """
    x = int.from_bytes(digest[:8], "big")
    # 53 bits, centred in integers first so every step is exact: u is then never +-0.5, whose
    # log(0) would raise (``((x >> 11) + 0.5) / 2**53 - 0.5`` rounds to 0.5 at the top).
    u = ((x >> 11) - 2**52 + 0.5) / 2.0**53
    return -scale * math.copysign(math.log(1.0 - 2.0 * abs(u)), u)


def keyed_laplace(salt: str, label: str) -> float:
    """A standard Laplace draw (scale 1) fixed by ``label`` under the key ``salt`` derives
    from the site's secret: each use has its own salt, so no two uses share draws."""
    return laplace(salted_hmac(salt, label, algorithm="sha256").digest(), 1.0)


def noisy_count(count: int, *, draw: float, scale: float, most: int) -> int:
    """``count`` with ``draw`` (a standard Laplace sample) times ``scale`` added, as a whole
    number within ``0..most`` (the rounding and the clipping are post-processing: they cost no
    privacy).

    >>> noisy_count(3, draw=0.4, scale=2.0, most=10), noisy_count(3, draw=-5.0, scale=2.0, most=10)
    (4, 0)
    """
    return min(max(round(count + draw * scale), 0), most)
