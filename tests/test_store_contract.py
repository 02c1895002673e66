"""One contract for every place the index lives: embedded Chroma in a folder, and a real
``chroma run`` server. Each backend must pass every test of :class:`TestStoreContract`. The
vectors come from the hashing stand-in (what is tested is the store, not what vectors mean)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus import Corpus, load_corpus
from index.builder import build_index
from index.documents import index_documents
from index.location import IndexLocation, LocalLocation, ServerLocation

from .conftest import CITY, SS
from .fakes import HashingEmbeddings
from .servers import chroma_server


@pytest.fixture(params=["embedded", "server"])
def location(request, tmp_path: Path) -> Iterator[IndexLocation]:  # type: ignore[no-untyped-def]
    if request.param == "embedded":
        yield LocalLocation(tmp_path / "index")
        return
    request.applymarker(pytest.mark.chroma_server)
    with chroma_server(tmp_path / "chroma") as server:
        yield ServerLocation(server.host, server.port)


@pytest.mark.slow
class TestStoreContract:
    def test_a_build_is_published_whole(self, location: IndexLocation, corpus: Corpus) -> None:
        emb = HashingEmbeddings()
        assert location.current() is None
        result = build_index(corpus, emb, location)
        current = location.current()
        assert current is not None and current == result.build and result.changed
        docs = index_documents(corpus)
        assert current.doc_count == len(docs) and current.model_id == emb.model_id
        store = location.open(current, emb)
        assert store.count() == len(docs)
        assert {i for i, _t, _m in store.all_documents()} == {d.id for d in docs}
        vectors = store.embeddings_for([docs[0].id])
        assert len(vectors[docs[0].id]) == emb.dim

    def test_query_with_filters(self, location: IndexLocation, corpus: Corpus) -> None:
        emb = HashingEmbeddings()
        build = build_index(corpus, emb, location).build
        store = location.open(build, emb)
        vec = emb.embed_query("logement")
        found = store.query(vec, k=5, where={"plan_id": SS})
        assert len(found) == 5
        by_id = {i: m for i, _t, m in store.all_documents()}
        assert {by_id[i]["plan_id"] for i, _ in found} == {SS}
        actions = store.query(vec, k=10, where={"$and": [{"plan_id": CITY}, {"kind": "action"}]})
        assert {by_id[i]["kind"] for i, _ in actions} == {"action"}

    def test_unchanged_build_is_idempotent_and_a_change_is_a_new_version(
        self, location: IndexLocation, corpus_copy: Path
    ) -> None:
        emb = HashingEmbeddings()
        corpus = load_corpus(corpus_copy)
        first = build_index(corpus, emb, location).build
        version = location.version()
        again = build_index(corpus, emb, location)
        assert again.changed is False and location.current() == first and location.version() == version
        src = corpus_copy / CITY / "plan-action-developpement-social-2025-2030.txt"
        src.write_text(
            src.read_text(encoding="utf-8").replace(
                "28. Maintenir et bonifier les services d'aide à la recherche de logements",
                "28. Maintenir et bonifier les services d'aide à la recherche d'un logement",
            ),
            encoding="utf-8",
        )
        changed = build_index(load_corpus(corpus_copy), emb, location)
        assert changed.changed and changed.build.build_id != first.build_id
        assert location.version() != version
        # Only the changed document was embedded again; the others were reused.
        assert changed.build.embedded == 1 and changed.reused == changed.build.doc_count - 1

    def test_a_build_that_is_not_published_can_be_discarded(
        self, location: IndexLocation, corpus: Corpus
    ) -> None:
        emb = HashingEmbeddings()
        published = build_index(corpus, emb, location).build
        store = location.create("abandoned", emb)
        store.add(["x"], ["texte"], [emb.embed_query("texte")], [{"plan_id": CITY}])
        location.discard("abandoned")
        assert location.current() == published
        assert location.open(published, emb).count() == published.doc_count
