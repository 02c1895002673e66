"""The naive baseline the hybrid retrieval is measured against: each plan's raw text split into
1,000-character chunks (200 overlapping), embedded with the same model into the same kind of
store, top k by vector similarity. A chunk "finds" the nodes whose first source line it
contains."""

from __future__ import annotations

import bisect
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus import Corpus
from index.embeddings import EmbeddingModel
from index.store import ChromaStore, persistent_client

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200


@dataclass(frozen=True)
class NaiveChunk:
    id: str
    plan_id: str
    text: str
    line_start: int
    line_end: int
    refs: tuple[str, ...]  # references of the nodes this chunk contains


def naive_chunks(corpus: Corpus, corpus_dir: Path) -> list[NaiveChunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    out = []
    for plan in corpus:
        source = next(corpus_dir.rglob(plan.meta.source))
        raw = source.read_text(encoding="utf-8")
        line_starts = [0] + [i + 1 for i, c in enumerate(raw) if c == "\n"]
        for n, doc in enumerate(splitter.create_documents([raw])):
            start = int(doc.metadata["start_index"])
            first = bisect.bisect_right(line_starts, start)
            last = bisect.bisect_right(line_starts, start + len(doc.page_content) - 1)
            refs = tuple(plan.ref(node) for node in plan.nodes if first <= node.line_start <= last)
            out.append(NaiveChunk(f"{plan.id}-{n}", plan.id, doc.page_content, first, last, refs))
    return out


class NaiveRetriever:
    def __init__(self, corpus: Corpus, corpus_dir: Path, embedder: EmbeddingModel):
        self.chunks = naive_chunks(corpus, corpus_dir)
        self.by_id = {c.id: c for c in self.chunks}
        self.embedder = embedder
        self._dir = Path(tempfile.mkdtemp(prefix="plan-assistant-naive-"))
        self.store = ChromaStore(
            persistent_client(self._dir), "naive-baseline", embedder, create=True, owns_client=True
        )
        vectors = embedder.embed_documents([c.text for c in self.chunks])
        self.store.add(
            [c.id for c in self.chunks],
            [c.text for c in self.chunks],
            vectors,
            [{"plan_id": c.plan_id} for c in self.chunks],
        )

    def search(self, query: str, k: int = 5) -> list[NaiveChunk]:
        found = self.store.query(self.embedder.embed_query(query), k=k, where=None)
        return [self.by_id[i] for i, _ in found]

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self._dir, ignore_errors=True)
