"""The index a process serves from: built on first use when missing, checked against the
configured model, reloaded when a new build is published (requests in flight keep the
searcher they started with, so no answer mixes two builds)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus, load_corpus
from index.builder import BuildResult, Progress, build_index, is_up_to_date
from index.config import RetrievalConfig
from index.documents import IndexDocument, build_documents, loaded_document
from index.embeddings import EmbeddingModel, make_embedder
from index.hybrid import HybridSearcher
from index.lexicon import Lexicon, default_lexicon
from index.location import BuildInfo, IndexError_, IndexLocation, location_for
from index.settings import IndexSettings
from index.store import StoreUnavailable


@dataclass(frozen=True)
class Snapshot:
    """A corpus and the index built from it, taken together for one request."""

    corpus: Corpus
    searcher: HybridSearcher

    @property
    def build_id(self) -> str:
        return self.searcher.build_id


class IndexService:
    def __init__(
        self,
        corpus: Corpus,
        embedder: EmbeddingModel,
        location: IndexLocation,
        config: RetrievalConfig | None = None,
        lexicon: Lexicon | None = None,
        corpus_dir: Path | None = None,
    ):
        self._corpus = corpus  # the corpus of the last build published (or to build from)
        self.embedder = embedder
        self.location = location
        self.config = config or RetrievalConfig()
        self.lexicon = lexicon or default_lexicon()
        self.corpus_dir = corpus_dir  # when given, a new build published elsewhere reloads the corpus too
        self._snapshot: Snapshot | None = None
        self._version = ""
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self.last_rebuild_reason: str | None = None

    @classmethod
    def from_settings(
        cls, settings: IndexSettings, embedder: EmbeddingModel | None = None, corpus: Corpus | None = None
    ) -> IndexService:
        return cls(
            corpus=corpus or load_corpus(Path(settings.corpus_dir)),
            embedder=embedder or make_embedder(settings.embeddings),
            location=location_for(Path(settings.data_dir), settings.chroma_host, settings.chroma_port),
            config=settings.retrieval,
            corpus_dir=Path(settings.corpus_dir),
        )

    @property
    def corpus(self) -> Corpus:
        """The corpus being served: the one of the current snapshot, which always goes with its index
        (before the first snapshot, the corpus to build from)."""
        with self._lock:
            snap = self._snapshot
            return snap.corpus if snap is not None else self._corpus

    def documents(self, corpus: Corpus | None = None) -> list[IndexDocument]:
        return build_documents(corpus or self._corpus, chunk_size=self.config.chunk_size)

    def build(
        self, force: bool = False, progress: Progress | None = None, corpus: Corpus | None = None
    ) -> BuildResult:
        """Build the index of ``corpus`` (by default, the current one) beside the one being served and
        publish it; the corpus switches with it, at the same instant, when the next request loads it."""
        corpus = corpus or self._corpus
        result = build_index(
            corpus, self.embedder, self.location, force=force, progress=progress, docs=self.documents(corpus)
        )
        with self._lock:
            self._corpus = corpus
            self._snapshot = None  # the next request loads the new build, with its corpus
        return result

    def _open(self, build: BuildInfo, corpus: Corpus) -> HybridSearcher:
        store = self.location.open(build, self.embedder)
        rows = store.all_documents()
        if len(rows) != build.doc_count:
            raise IndexError_(
                f"la version {build.build_id} contient {len(rows)} documents au lieu de {build.doc_count}"
            )
        docs = [loaded_document(i, t, m) for i, t, m in rows]
        docs.sort(key=lambda d: (str(d.metadata["plan_id"]), d.id))
        aliases = {p.id: list(p.meta.aliases) for p in corpus}
        default = {p.id for p in corpus if p.meta.default_scope}
        return HybridSearcher(
            docs,
            store,
            self.embedder,
            self.lexicon,
            self.config,
            aliases,
            build.build_id,
            default_plans=None if len(default) == len(corpus) else default,
        )

    def ensure(self, rebuild: bool = True, progress: Progress | None = None) -> HybridSearcher:
        """Load the current build; build it first when it is missing, out of date, made with
        another model, or unreadable (``rebuild=False`` makes each of these a clear error)."""
        reason: str | None = None
        force = False  # True: nothing of the current build can be trusted or reused
        try:
            current = self.location.current()
        except IndexError_ as e:
            current, reason = None, str(e)
        if current is None:
            reason = reason or f"aucun index dans {self.location.describe()}"
        elif current.model_id != self.embedder.model_id:
            reason = (
                f"l'index a été construit avec « {current.model_id} » mais la configuration demande "
                f"« {self.embedder.model_id} »"
            )
            force = True
        elif not is_up_to_date(current, self.documents(), self.embedder):
            reason = "le corpus a changé depuis la construction de l'index"
        corpus = self._corpus
        if reason is None and current is not None:
            try:
                return self._install(self._open(current, corpus), corpus)
            except IndexError_ as e:
                reason, force = str(e), True
        if not rebuild:
            raise IndexError_(f"{reason} : lancez « plan-assistant index » pour le construire")
        self.last_rebuild_reason = reason
        result = self.build(force=force, progress=progress, corpus=corpus)
        return self._install(self._open(result.build, corpus), corpus)

    def _install(self, searcher: HybridSearcher, corpus: Corpus) -> HybridSearcher:
        """Publish a corpus and the searcher of its index together."""
        version = self.location.version()
        with self._lock:
            self._corpus = corpus
            self._snapshot = Snapshot(corpus, searcher)
            self._version = version
        return searcher

    def snapshot(self) -> Snapshot:
        """The corpus and searcher for one request: the loaded build, or a newer one when it was
        published since (by this process or another one). A request keeps its snapshot from start
        to end, so no answer mixes two builds."""
        with self._lock:
            snap = self._snapshot
            version = self._version
        if snap is None:
            self.ensure(rebuild=False)
            assert self._snapshot is not None
            return self._snapshot
        try:
            now = self.location.version()
        except (StoreUnavailable, IndexError_):
            return snap
        if now != version:
            current = self.location.current()
            if (
                current is not None
                and current.build_id != snap.build_id
                and current.model_id == self.embedder.model_id
            ):
                with self._reload_lock:
                    if self._snapshot is snap:  # not reloaded by a concurrent request meanwhile
                        corpus = load_corpus(self.corpus_dir) if self.corpus_dir is not None else self._corpus
                        self._install(self._open(current, corpus), corpus)
                assert self._snapshot is not None
                return self._snapshot
        return snap

    def searcher(self) -> HybridSearcher:
        return self.snapshot().searcher
