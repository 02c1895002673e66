"""The vector index: embeddings, Chroma store, French BM25 and hybrid retrieval.

``index.search("trouver un appartement", k=5, filters={"plan": "…"})`` returns ranked hits,
each with ``plan_id``, ``kind``, ``number`` (as printed in the plan), ``score`` and ``text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.search import Hit


def search(query: str, k: int = 5, filters: dict[str, Any] | None = None) -> list[Hit]:
    """Hybrid search over the configured index (built on first use when missing)."""
    from index.service import default_service

    return default_service().searcher().search(query, k=k, filters=filters)


__all__ = ["search"]
