"""Small statistics shared by the evaluations and the benchmark."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def mean(xs: Sequence[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def percentile(xs: Sequence[float], p: int) -> float | None:
    """The p-th percentile (inclusive method); None for no data."""
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(sorted(xs), n=100, method="inclusive")[p - 1]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(1000 * seconds, 2)
