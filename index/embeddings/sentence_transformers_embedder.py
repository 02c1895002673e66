"""Any sentence-transformers model a deployment has, from a local folder or a name already in
the local cache. Nothing is downloaded at run time (``HF_HUB_OFFLINE=1`` is set)."""

from __future__ import annotations

import os
from typing import Any, Literal

import numpy as np

from index.embeddings import EmbeddingError, EmbeddingModel, register_embedder


class SentenceTransformersEmbeddings(EmbeddingModel):
    def __init__(self, model: str) -> None:
        super().__init__()
        if not model:
            raise EmbeddingError(
                "indiquez le modèle : « sentence-transformers:<nom ou chemin d'un dossier de modèle> »"
            )
        self.model = model
        self.model_id = f"sentence-transformers:{model}"
        # e5-family models are trained with these prefixes; other models use none.
        e5 = "e5" in model.lower()
        self.prefixes = {"query": "query: ", "passage": "passage: "} if e5 else {"query": "", "passage": ""}
        self._model: Any = None

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbeddingError(
                "le paquet sentence-transformers n'est pas installé : "
                "pip install 'plan-assistant[sentence-transformers]'"
            ) from e
        try:
            self._model = SentenceTransformer(self.model, device="cpu")
        except Exception as e:  # the library raises many kinds; translate them once, here
            raise EmbeddingError(
                f"impossible de charger le modèle sentence-transformers « {self.model} » hors ligne "
                f"({type(e).__name__}) : donnez le chemin d'un dossier de modèle présent sur cette machine"
            ) from e

    def embed_batch(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        prefix = self.prefixes[kind]
        vecs = self._model.encode(
            [prefix + t for t in texts], normalize_embeddings=True, convert_to_numpy=True, batch_size=32
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)


@register_embedder(
    "sentence-transformers", "tout modèle sentence-transformers local : sentence-transformers:<nom ou chemin>"
)
def _make(arg: str) -> EmbeddingModel:
    return SentenceTransformersEmbeddings(arg)
