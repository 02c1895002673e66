"""Stand-ins for unit tests of logic that does not depend on what vectors mean."""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np

from index.analysis import analyze
from index.embeddings import EmbeddingModel


class HashingEmbeddings(EmbeddingModel):
    """Bag of hashed stems: fast, deterministic, no model. Similar words give similar vectors,
    which is all the builder and store tests need."""

    def __init__(self, dim: int = 64, fail_after: int | None = None, model_id: str = "hashing:64"):
        super().__init__()
        self.dim = dim
        self.model_id = model_id
        self.fail_after = fail_after
        self.calls = 0
        self.embedded = 0

    def embed_batch(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and kind == "passage" and self.calls > self.fail_after:
            raise RuntimeError("panne simulée de l'embedder")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            for w in analyze(t) or ["vide"]:
                out[r, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
            out[r] /= np.linalg.norm(out[r]) or 1.0
        if kind == "passage":
            self.embedded += len(texts)
        return out
