"""Building the index: idempotent, incremental, atomic, tied to its model."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus import load_corpus
from index.builder import build_index
from index.documents import build_documents
from index.location import IndexError_, LocalLocation
from index.service import IndexService
from index.vector_cache import VectorCache

from .conftest import CITY
from .fakes import HashingEmbeddings


def test_documents_carry_context_and_metadata(corpus) -> None:  # type: ignore[no-untyped-def]
    docs = {d.metadata["ref"]: d for d in build_documents(corpus) if d.metadata["chunk"] == 0}
    a37 = docs[f"{CITY}:37"]
    assert a37.text.splitlines()[0] == (
        "Action 37 : Poursuivre le déploiement de la tarification sociale avec le programme ÉquiMobilité"
    )
    assert "Orientation 2 : Milieux de vie complets" in a37.text
    assert (
        "Unités administratives concernées : Loisirs, sports et vie communautaire; Planification de "
        "l'aménagement et de l'environnement; Police; Transport et mobilité intelligente." in a37.text
    )
    assert "Échéancier : en cours." in a37.text
    md = a37.metadata
    assert (md["plan_id"], md["kind"], md["number"], md["horizon"]) == (CITY, "action", "37", "EC")
    assert (md["orientation"], md["axe"], md["objective"]) == ("2", "2.2", "2.2.2")
    assert md["url"] == f"/plans/{CITY}#action-37"
    assert md["unit__police"] is True
    # The neighbourhood plan's actions carry their indicators; 2.1.2 reads with the list it completes.
    ss = docs["saint-sacrement-2024-2026:2.1.1"].text
    assert "Résultats attendus : Avis, résolution et recommandations" in ss
    assert docs["saint-sacrement-2024-2026:2.1.2"].text.startswith(
        "Action 2.1.2 : Assurer une vigilance constante sur : les aspects de sécurité liés au déneigement."
    )
    # Objectives of the whole organisation say so.
    assert "toute l'organisation municipale" in docs[f"{CITY}:objectif-3-2-1"].text
    # One document per action, per objective; prose sections split into chunks.
    kinds = [d.metadata["kind"] for d in build_documents(corpus)]
    assert kinds.count("action") == 57 + 18
    assert kinds.count("objectif") == 14 + 10


def test_ids_are_content_hashes(corpus) -> None:  # type: ignore[no-untyped-def]
    a = [d.id for d in build_documents(corpus)]
    b = [d.id for d in build_documents(corpus)]
    assert a == b and len(set(a)) == len(a)


def test_build_is_idempotent_and_incremental(tmp_path: Path, corpus_copy: Path) -> None:
    emb = HashingEmbeddings()
    loc = LocalLocation(tmp_path / "index")
    first = build_index(load_corpus(corpus_copy), emb, loc)
    assert first.changed and first.build.embedded == first.build.doc_count
    # Nothing changed: nothing is done.
    again = build_index(load_corpus(corpus_copy), emb, loc)
    assert not again.changed and again.build.build_id == first.build.build_id
    # One action changes: only the documents that contain it are embedded again.
    src = corpus_copy / CITY / "plan-action-developpement-social-2025-2030.txt"
    src.write_text(
        src.read_text(encoding="utf-8").replace("programme ÉquiMobilité", "programme Équimobilité+"),
        encoding="utf-8",
    )
    third = build_index(load_corpus(corpus_copy), emb, loc)
    assert third.changed and third.build.build_id != first.build.build_id
    assert third.build.embedded == 1  # action 37 only: the objective's text does not list its actions
    assert third.reused == first.build.doc_count - 1
    # The previous build is kept for requests in flight; older ones are removed.
    assert sorted(p.name for p in (tmp_path / "index" / "builds").iterdir()) == sorted(
        [first.build.build_id, third.build.build_id]
    )


def test_failed_build_leaves_the_previous_index_serving(tmp_path: Path, corpus) -> None:  # type: ignore[no-untyped-def]
    loc = LocalLocation(tmp_path / "index")
    service = IndexService(corpus, HashingEmbeddings(), loc)
    service.ensure()
    before = loc.current()
    broken = HashingEmbeddings(fail_after=2)  # the third batch fails
    with pytest.raises(RuntimeError, match="panne simulée"):
        build_index(corpus, broken, loc, force=True)
    assert loc.current() == before
    assert [p.name for p in loc.builds.iterdir()] == [before.build_id]  # type: ignore[union-attr]
    hits = service.searcher().search("tarification sociale ÉquiMobilité", k=3)
    assert hits[0].ref == f"{CITY}:37"


def test_model_mismatch_is_a_clear_error_or_a_rebuild(tmp_path: Path, corpus) -> None:  # type: ignore[no-untyped-def]
    loc = LocalLocation(tmp_path / "index")
    IndexService(corpus, HashingEmbeddings(model_id="hashing:a"), loc).ensure()
    other = IndexService(corpus, HashingEmbeddings(model_id="hashing:b"), loc)
    with pytest.raises(IndexError_) as e:
        other.ensure(rebuild=False)
    assert str(e.value) == (
        "l'index a été construit avec « hashing:a » mais la configuration demande « hashing:b » : "
        "lancez « plan-assistant index » pour le construire"
    )
    other.ensure(rebuild=True)
    b = loc.current()
    assert b is not None and b.model_id == "hashing:b" and b.embedded == b.doc_count  # no vector reused


def test_corrupted_or_missing_index_is_rebuilt(tmp_path: Path, corpus) -> None:  # type: ignore[no-untyped-def]
    loc = LocalLocation(tmp_path / "index")
    service = IndexService(corpus, HashingEmbeddings(), loc)
    service.ensure()
    loc.pointer.write_text("{ pas du JSON", encoding="utf-8")
    fresh = IndexService(corpus, HashingEmbeddings(), loc)
    with pytest.raises(IndexError_, match=r"le pointeur d.index .* est illisible"):
        fresh.ensure(rebuild=False)
    fresh.ensure(rebuild=True)
    assert "illisible" in (fresh.last_rebuild_reason or "")
    # The build folder disappears: rebuilt too.
    current = loc.current()
    assert current is not None
    import shutil

    shutil.rmtree(loc.builds / current.build_id)
    again = IndexService(corpus, HashingEmbeddings(), loc)
    again.ensure(rebuild=True)
    assert "introuvable" in (again.last_rebuild_reason or "")
    assert again.searcher().search("ÉquiMobilité", k=1)[0].number == "37"


def test_interrupt_leaves_the_previous_index_whole(tmp_path: Path, corpus_copy: Path) -> None:
    """A real ``plan-assistant index --rebuild`` interrupted with SIGINT while it embeds (the plans
    without their question banks: the interruption is what is tested, not the bank)."""
    for bank in (corpus_copy / "hors-plan.yaml", *corpus_copy.glob("*/questions.yaml")):
        bank.unlink()
    env = {
        **os.environ,
        "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "PLAN_ASSISTANT_CORPUS_DIR": str(corpus_copy),
    }
    exe = str(Path(sys.executable).parent / "plan-assistant")
    subprocess.run([exe, "index"], env=env, check=True, capture_output=True, timeout=600)
    loc = LocalLocation(tmp_path / "data" / "index")
    before = loc.current()
    assert before is not None
    # An empty vector cache: the rebuild embeds every text (it is what gets interrupted).
    env["PLAN_ASSISTANT_CACHE_DIR"] = str(tmp_path / "empty-cache")
    # The child gets Ctrl+C's default disposition whatever this worker's is: a Python started with
    # SIGINT ignored (inherited) never raises KeyboardInterrupt, and the build would run to its end.
    proc = subprocess.Popen(
        [exe, "index", "--rebuild"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 300
    # Interrupted once the first batch is embedded, well before the last one (32 of ~150 documents).
    while not re.search(r"\b[1-9]\d*/\d+", seen):
        ch = proc.stderr.read(1)
        if not ch or time.monotonic() > deadline:
            break
        seen += ch
    assert proc.poll() is None, f"la construction a fini avant l'interruption : {seen}"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Interrompu : l'index précédent est intact et continue de servir." in err
    assert "Traceback" not in err
    assert loc.current() == before
    assert [p.name for p in loc.builds.iterdir()] == [before.build_id]
    out = subprocess.run(
        [exe, "search", "tarification sociale", "-k", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("1. Action 37 — Poursuivre le déploiement de la tarification sociale")


def test_a_build_in_a_new_folder_embeds_only_texts_never_embedded(tmp_path: Path, corpus) -> None:  # type: ignore[no-untyped-def]
    cache = VectorCache(tmp_path / "cache")
    emb = HashingEmbeddings()
    first = build_index(corpus, emb, LocalLocation(tmp_path / "a"), vector_cache=cache)
    assert first.build.embedded == first.build.doc_count and first.cached == 0
    # Another data folder, forced: every vector comes from the cache, none from the model.
    emb.embedded = 0
    other = build_index(corpus, emb, LocalLocation(tmp_path / "b"), force=True, vector_cache=cache)
    assert other.build.embedded == 0 and other.cached == other.build.doc_count and emb.embedded == 0
    a = IndexService(corpus, emb, LocalLocation(tmp_path / "a")).ensure()
    b = IndexService(corpus, emb, LocalLocation(tmp_path / "b")).ensure()
    query = "tarification sociale ÉquiMobilité"
    assert [h.ref for h in a.search(query, k=3)] == [h.ref for h in b.search(query, k=3)]
    assert a.search(query, k=1)[0].ref == f"{CITY}:37"
    # Another model never gets these vectors.
    third = build_index(
        corpus, HashingEmbeddings(model_id="hashing:other"), LocalLocation(tmp_path / "c"), vector_cache=cache
    )
    assert third.cached == 0 and third.build.embedded == third.build.doc_count


def test_a_damaged_vector_cache_only_costs_time(tmp_path: Path, corpus, caplog) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "vectors.sqlite3").write_bytes(b"not a database" * 100)
    result = build_index(
        corpus, HashingEmbeddings(), LocalLocation(tmp_path / "a"), vector_cache=VectorCache(folder)
    )
    assert result.build.embedded == result.build.doc_count and result.cached == 0
    assert "cache de vecteurs" in caplog.text
    # A vector of another size (another model under the same name) is not used.
    cache = VectorCache(tmp_path / "fresh")
    cache.put("hashing:64", "passage", ["un texte"], [[1.0, 0.0]])
    assert cache.get("hashing:64", "passage", ["un texte"], dimension=64) == {}
    assert cache.get("hashing:64", "passage", ["un texte"], dimension=2) == {"un texte": [1.0, 0.0]}
