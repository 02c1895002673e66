"""Reciprocal rank fusion of several rankings (a few lines, instead of a deprecated dependency)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[tuple[Sequence[K], float]], k: int = 60
) -> list[tuple[K, float]]:
    """``[(ranked keys, weight), …]`` → keys by fused score ``Σ weight / (k + rank)``, best first."""
    scores: dict[K, float] = {}
    for keys, weight in rankings:
        for rank, key in enumerate(keys, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
