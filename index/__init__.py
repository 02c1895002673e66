"""The vector index: embeddings, Chroma store, French BM25 and hybrid retrieval.

``index.search("trouver un appartement", k=5, filters={"plan": "…"})`` returns ranked hits,
each with ``plan_id``, ``kind``, ``number`` (as printed in the plan), ``score`` and ``text``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.hybrid import Hit
    from index.service import IndexService

_default: IndexService | None = None
_lock = threading.Lock()


def default_service() -> IndexService:
    """The index of the settings in the environment (``PLAN_ASSISTANT_…``), built on first use
    when missing, and kept for the process."""
    global _default
    with _lock:
        if _default is None:
            from index.service import IndexService
            from index.settings import IndexSettings

            service = IndexService.from_settings(IndexSettings())
            service.ensure(rebuild=True)
            _default = service
        return _default


def search(query: str, k: int = 5, filters: dict[str, Any] | None = None) -> list[Hit]:
    """Hybrid search over the configured index (built on first use when missing)."""
    return default_service().searcher().search(query, k=k, filters=filters)


__all__ = ["default_service", "search"]
