"""``plan-assistant index``: build or update the index.

- Idempotent: documents have content-hash ids; when nothing changed, nothing is done, and a
  new build copies the vectors of unchanged documents from the current build instead of
  embedding them again (when it was built with the same model).
- Atomic: the new build is written beside the current one and published in one step at the
  end; a failure or an interrupt leaves the current build whole and serving.
- It records which model built it; an index is never used with another model.
- Given a :class:`~index.vector_cache.VectorCache` (the service's, in its cache folder), it embeds
  only texts no earlier build has embedded with the same model, in whatever folder or store.
- It leaves nothing open: the stores it reads (the current build, for its vectors) and writes (the
  new build) are closed before it returns, and before the builds it replaces are removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from corpus import Corpus
from index.documents import IndexDocument, index_documents, stored_metadata
from index.embeddings import EmbeddingModel
from index.lexicon import fingerprint
from index.location import BuildInfo, IndexError_, IndexLocation
from index.store import StoreBroken
from index.vector_cache import VectorCache

BATCH = 32
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    build: BuildInfo
    changed: bool  # False when the current build was already up to date
    reused: int  # vectors copied from the build replaced
    cached: int = 0  # vectors found in the vector cache


def docs_hash(docs: list[IndexDocument], lexicon: str = "") -> str:
    """What a build holds: its documents (content-hash ids) and the lexicon they are searched with
    (:func:`index.lexicon.fingerprint`: a plan's lexicon edited makes the next re-index publish a
    new build, which every process then loads)."""
    h = hashlib.sha256()
    for i in sorted(d.id for d in docs):
        h.update(i.encode())
    if lexicon:
        h.update(f"\0lexicon:{lexicon}".encode())
    return h.hexdigest()[:24]


def is_up_to_date(
    current: BuildInfo | None, docs: list[IndexDocument], embedder: EmbeddingModel, lexicon: str = ""
) -> bool:
    return (
        current is not None
        and current.model_id == embedder.model_id
        and current.docs_hash == docs_hash(docs, lexicon)
    )


def _from_cache(
    cache: VectorCache, model_id: str, docs: list[IndexDocument], dimension: int
) -> dict[str, list[float]]:
    """The vectors ``cache`` holds for ``docs``, by document id (a question as a question, a passage
    by its dense text: as they would be embedded)."""
    passages = cache.get(model_id, "passage", [d.dense_text for d in docs if not d.is_question], dimension)
    questions = cache.get(model_id, "question", [d.text for d in docs if d.is_question], dimension)
    found = {d.id: questions.get(d.text) if d.is_question else passages.get(d.dense_text) for d in docs}
    return {i: v for i, v in found.items() if v is not None}


def build_index(
    corpus: Corpus,
    embedder: EmbeddingModel,
    location: IndexLocation,
    force: bool = False,
    progress: Progress | None = None,
    docs: list[IndexDocument] | None = None,
    vector_cache: VectorCache | None = None,
) -> BuildResult:
    docs = docs if docs is not None else index_documents(corpus)
    lexicon = fingerprint(corpus)
    with location.lock():
        try:
            current = location.current()
        except IndexError_:
            current = None  # an unreadable pointer: build a fresh index, then replace it
        if not force and current is not None and is_up_to_date(current, docs, embedder, lexicon):
            return BuildResult(current, changed=False, reused=current.doc_count)
        started = time.perf_counter()
        build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        reuse: dict[str, list[float]] = {}
        if current is not None and current.model_id == embedder.model_id and not force:
            try:
                previous = location.open(current, embedder)
            except IndexError_:
                pass  # unreadable: everything is embedded again
            else:
                try:
                    reuse = previous.embeddings_for([d.id for d in docs])
                except StoreBroken:
                    reuse = {}  # a damaged current build: nothing of it is reused
                finally:
                    previous.close()
        embedder.warm_up()
        store = location.create(build_id, embedder)
        try:
            dimension = len(embedder.embed_query("dimension"))
            # Vectors not to compute: the replaced build's, then those of texts an earlier build
            # embedded, in any folder (the vector cache's).
            cached = (
                _from_cache(
                    vector_cache, embedder.model_id, [d for d in docs if d.id not in reuse], dimension
                )
                if vector_cache is not None
                else {}
            )
            known = {**reuse, **cached}
            done = 0
            if progress:
                progress(0, len(docs))
            kept = [d for d in docs if d.id in known]
            for i in range(0, len(kept), 256):
                part = kept[i : i + 256]
                store.add(
                    [d.id for d in part],
                    [d.text for d in part],
                    [known[d.id] for d in part],
                    [stored_metadata(d) for d in part],
                )
                done += len(part)
                if progress:
                    progress(done, len(docs))
            todo = [d for d in docs if d.id not in known]
            # The bank's questions are embedded as questions (as a new question will be), shortest first
            # so that a batch's texts are of a length.
            todo = [d for d in todo if not d.is_question] + sorted(
                (d for d in todo if d.is_question), key=lambda d: len(d.text)
            )
            for i in range(0, len(todo), BATCH):
                part = todo[i : i + BATCH]
                questions = [d for d in part if d.is_question]
                passages = [d for d in part if not d.is_question]
                part = passages + questions
                passage_vectors = embedder.embed_documents([d.dense_text for d in passages])
                question_vectors = embedder.embed_questions([d.text for d in questions]) if questions else []
                if vector_cache is not None:
                    vector_cache.put(
                        embedder.model_id, "passage", [d.dense_text for d in passages], passage_vectors
                    )
                    vector_cache.put(
                        embedder.model_id, "question", [d.text for d in questions], question_vectors
                    )
                store.add(
                    [d.id for d in part],
                    [d.text for d in part],
                    passage_vectors + question_vectors,
                    [stored_metadata(d) for d in part],
                )
                done += len(part)
                if progress:
                    progress(done, len(docs))
            count = store.count()
            if count != len(docs):
                raise IndexError_(f"la nouvelle version contient {count} documents au lieu de {len(docs)}")
            info = BuildInfo(
                build_id=build_id,
                model_id=embedder.model_id,
                dimension=dimension,
                doc_count=len(docs),
                docs_hash=docs_hash(docs, lexicon),
                created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                embedded=len(todo),  # sent to the model: neither reused nor found in the vector cache
                seconds=round(time.perf_counter() - started, 3),
            )
            store.close()  # written: readers open it anew
            location.publish(info)
        except BaseException:
            # Failure or interrupt: the current build was never touched; drop the partial one.
            store.close()
            location.discard(build_id)
            raise
        location.cleanup(keep={build_id} | ({current.build_id} if current else set()))
        return BuildResult(info, changed=True, reused=len(reuse), cached=len(cached))
