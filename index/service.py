"""The index a process serves from: built on first use when missing, checked against the
configured model, reloaded when a new build is published (requests in flight keep the
searcher they started with, so no answer mixes two builds).

Nothing is held longer than needed: a searcher that is replaced (a new build, a reload) closes its
store once the last request holding it finishes (:meth:`index.store.ChromaStore.release_with`), so
re-indexing many times keeps the same memory and open files.

A store that breaks while serving (a Chroma error that is not a lost connection: files damaged or
removed) is answered with :class:`~index.store.StoreBroken` (a 503 in the API) and dropped; the next
request reopens the published build, checked by a real query, and when it is unreadable the service
either says so (``IndexError_``) or, with ``auto_repair`` (the web service), rebuilds it in the
background from the corpus being served, answering ``IndexError_`` (503, « index indisponible »)
meanwhile. Never a lasting error: no restart is needed.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import Corpus, load_corpus
from index.builder import BuildResult, Progress, build_index, is_up_to_date
from index.config import RetrievalConfig
from index.documents import IndexDocument, index_documents, loaded_document
from index.embeddings import EmbeddingModel, make_embedder
from index.hybrid import HybridSearcher
from index.lexicon import Lexicon, corpus_lexicon, fingerprint
from index.location import BuildInfo, IndexError_, IndexLocation, location_for
from index.settings import IndexSettings
from index.store import StoreBroken, StoreUnavailable
from index.vector_cache import VectorCache

log = logging.getLogger("plan_assistant.index")

#: Seconds before a failed background rebuild is tried again (by the next request).
REPAIR_RETRY_SECONDS = 10.0


@dataclass(frozen=True)
class Snapshot:
    """A corpus and the index built from it, taken together for one request."""

    corpus: Corpus
    searcher: HybridSearcher

    @property
    def build_id(self) -> str:
        return self.searcher.build_id


def trim_heap() -> None:
    """Give the memory a build freed back to the system (glibc keeps freed heap pages otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class IndexService:
    """The corpus and index being served, one :class:`Snapshot` per request.

    ``auto_repair``: when the published build is unreadable while serving, rebuild it in the
    background (from the corpus being served) instead of only saying so."""

    #: Another process's publication is looked for at most this often.
    VERSION_CHECK_SECONDS = 0.25
    #: A store read in memory (a folder of this machine) is read at most this often while serving,
    #: so that damaged files are found without a question having to fail on them.
    STORE_CHECK_SECONDS = 1.0

    def __init__(
        self,
        corpus: Corpus,
        embedder: EmbeddingModel,
        location: IndexLocation,
        config: RetrievalConfig | None = None,
        lexicon: Lexicon | None = None,
        corpus_dir: Path | None = None,
        auto_repair: bool = False,
        cache_size: int = 1024,
        cache_dir: Path | None = None,
    ):
        self._corpus = corpus  # the corpus of the last build published (or to build from)
        self.embedder = embedder
        self.location = location
        self.config = config or RetrievalConfig()
        self.lexicon = lexicon  # by default, the lexicon of the corpus being served (its plans')
        self.cache_size = cache_size  # questions whose analysis each searcher keeps
        self.corpus_dir = corpus_dir  # when given, a new build published elsewhere reloads the corpus too
        # What a build computes and a later one may reuse: the texts' vectors, the bank's fitted models.
        self.cache_dir = cache_dir
        self._snapshot: Snapshot | None = None
        self._version = ""
        self._checked = 0.0  # when another process's publication was last looked for
        self._store_checked = 0.0  # when the store of a snapshot read in memory was last read
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self.last_rebuild_reason: str | None = None
        self.auto_repair = auto_repair
        self._repair: threading.Thread | None = None  # the background rebuild of a broken index
        self._repair_reason = ""
        self._repair_failed_at: float | None = None

    @classmethod
    def from_settings(
        cls,
        settings: IndexSettings,
        embedder: EmbeddingModel | None = None,
        corpus: Corpus | None = None,
        auto_repair: bool = False,
    ) -> IndexService:
        return cls(
            corpus=corpus or load_corpus(Path(settings.corpus_dir)),
            embedder=embedder or make_embedder(settings.embeddings, settings.question_cache_size),
            location=location_for(Path(settings.data_dir), settings.chroma_host, settings.chroma_port),
            config=settings.retrieval,
            corpus_dir=Path(settings.corpus_dir),
            auto_repair=auto_repair,
            cache_size=settings.question_cache_size,
            cache_dir=settings.cache_dir or Path(settings.data_dir) / "cache",
        )

    @property
    def corpus(self) -> Corpus:
        """The corpus being served: the one of the current snapshot, which always goes with its index
        (before the first snapshot, the corpus to build from)."""
        with self._lock:
            snap = self._snapshot
            return snap.corpus if snap is not None else self._corpus

    def documents(self, corpus: Corpus | None = None) -> list[IndexDocument]:
        corpus = corpus or self._corpus
        return index_documents(corpus, chunk_size=self.config.chunk_size)

    def build(
        self, force: bool = False, progress: Progress | None = None, corpus: Corpus | None = None
    ) -> BuildResult:
        """Build the index of ``corpus`` (by default, the current one) beside the one being served and
        publish it; the corpus switches with it, at the same instant, when the next request loads it
        (the searcher replaced closes its store once the requests still holding it finish)."""
        corpus = corpus or self._corpus
        result = build_index(
            corpus,
            self.embedder,
            self.location,
            force=force,
            progress=progress,
            docs=self.documents(corpus),
            vector_cache=VectorCache(self.cache_dir) if self.cache_dir is not None else None,
        )
        with self._lock:
            self._corpus = corpus
            self._snapshot = None  # the next request loads the new build, with its corpus
        trim_heap()
        return result

    def _open(self, build: BuildInfo, corpus: Corpus) -> HybridSearcher:
        """The searcher of a build, checked: every document read back, and one real similarity
        query answered (so a damaged vector segment is found here, not by a request). Its store
        closes once the searcher is no longer used by anyone; on failure, at once. A build that
        cannot be read is an ``IndexError_``."""
        store = self.location.open(build, self.embedder)
        try:
            rows = store.all_documents()
            if len(rows) != build.doc_count:
                raise IndexError_(
                    f"la version {build.build_id} contient {len(rows)} documents au lieu de {build.doc_count}"
                )
            docs = [loaded_document(i, t, m) for i, t, m in rows]
            docs.sort(key=lambda d: (str(d.metadata["plan_id"]), d.id))
            questions = [d for d in docs if d.is_question]
            docs = [d for d in docs if not d.is_question]
            aliases = {p.id: list(p.meta.aliases) for p in corpus}
            default = {p.id for p in corpus if p.meta.default_scope}
            searcher = HybridSearcher(
                docs,
                store,
                self.embedder,
                self.lexicon or corpus_lexicon(corpus),
                self.config,
                aliases,
                build.build_id,
                default_plans=None if len(default) == len(corpus) else default,
                dense_in_memory=not self.location.shared,
                cache_size=self.cache_size,
                questions=questions,
                cache_dir=self.cache_dir,
            )
            searcher.check_store()
        except StoreBroken as e:
            store.close()
            raise IndexError_(f"la version {build.build_id} de l'index est illisible ({e})") from e
        except BaseException:
            store.close()
            raise
        store.release_with(searcher)
        return searcher

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
            reason = reason or f"aucun index ({self.location.label()})"
        elif current.model_id != self.embedder.model_id:
            reason = (
                f"l'index a été construit avec « {current.model_id} » mais la configuration demande "
                f"« {self.embedder.model_id} »"
            )
            force = True
        elif not is_up_to_date(current, self.documents(), self.embedder, fingerprint(self._corpus)):
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
        """Publish a corpus and the searcher of its index together (the searcher replaced closes its
        store once the requests still holding it finish)."""
        version = self.location.version()
        with self._lock:
            self._corpus = corpus
            self._snapshot = Snapshot(corpus, searcher)
            self._version = version
        return searcher

    def snapshot(self) -> Snapshot:
        """The corpus and searcher for one request: the loaded build, or a newer one when it was
        published since (by this process or another one). A request keeps its snapshot from start
        to end, so no answer mixes two builds.

        A snapshot whose store broke is replaced here: the published build reopened, or (when it is
        unreadable) ``IndexError_`` — with ``auto_repair``, while a rebuild runs in the background."""
        with self._lock:
            snap = self._snapshot
            version = self._version
        if snap is not None and snap.searcher.store.broken:
            return self._recover(snap)
        if snap is None:
            return self._load()
        # Another process's publication is looked for at most every VERSION_CHECK_SECONDS (a stat
        # in embedded mode, a call to the server otherwise); this process's own builds are seen at once.
        t = time.monotonic()
        if snap.searcher.dense_in_memory and t - self._store_checked >= self.STORE_CHECK_SECONDS:
            self._store_checked = t
            try:
                snap.searcher.check_store()
            except StoreBroken:
                return self._recover(snap)
            except StoreUnavailable:
                pass
        if t - self._checked < self.VERSION_CHECK_SECONDS:
            return snap
        self._checked = t
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
                return self._current()
        return snap

    def _current(self) -> Snapshot:
        """The snapshot installed, or the reason there is none (``IndexError_``)."""
        snap = self._snapshot
        if snap is None:
            return self._load()
        return snap

    def _load(self) -> Snapshot:
        """Load the published build when no snapshot is installed (after a build, or a failure)."""
        self._raise_if_repairing()
        with self._reload_lock:
            if self._snapshot is None:
                try:
                    self.ensure(rebuild=False)
                except IndexError_ as e:
                    raise self._unreadable(str(e)) from e
            snap = self._snapshot
        if snap is None:  # dropped again by a build meanwhile
            raise IndexError_("index indisponible : une nouvelle version est en cours de chargement")
        return snap

    def _recover(self, broken: Snapshot) -> Snapshot:
        """Replace a snapshot whose store broke: reopen the published build (the same one, or a newer
        one), or say it is unreadable (and, with ``auto_repair``, rebuild it in the background)."""
        with self._reload_lock:
            if self._snapshot is broken:
                log.warning(
                    "la version %s de l'index ne répond plus correctement : réouverture", broken.build_id
                )
                with self._lock:
                    self._snapshot = None
                broken.searcher.store.close()  # requests still on it get a 503 too
                self._raise_if_repairing()
                try:
                    current = self.location.current()
                    if current is None:
                        raise IndexError_(f"aucun index ({self.location.label()})")
                    if current.build_id == broken.build_id:
                        corpus = broken.corpus
                    else:
                        corpus = load_corpus(self.corpus_dir) if self.corpus_dir is not None else self._corpus
                    self._install(self._open(current, corpus), corpus)
                except IndexError_ as e:
                    raise self._unreadable(str(e)) from e
                log.warning("index rouvert (version %s)", current.build_id)
        return self._current()

    # ------------------------------------------------------------------ background repair
    @property
    def repairing(self) -> bool:
        """True while a background rebuild of an unreadable index runs."""
        t = self._repair
        return t is not None and t.is_alive()

    def _raise_if_repairing(self) -> None:
        if self.repairing:
            raise IndexError_(f"index indisponible : reconstruction en cours ({self._repair_reason})")

    def _unreadable(self, reason: str) -> IndexError_:
        """The error for a published build that cannot be read; with ``auto_repair``, a rebuild is
        started in the background (again after ``REPAIR_RETRY_SECONDS`` when the last one failed)."""
        if not self.auto_repair:
            return IndexError_(reason)
        with self._lock:
            if not (self._repair is not None and self._repair.is_alive()):
                failed = self._repair_failed_at
                if failed is not None and time.monotonic() - failed < REPAIR_RETRY_SECONDS:
                    return IndexError_(f"index indisponible : {reason}")
                self._repair_reason = reason
                self._repair = threading.Thread(target=self._run_repair, name="index-repair", daemon=True)
                self._repair.start()
        return IndexError_(f"index indisponible : reconstruction en cours ({self._repair_reason})")

    def _run_repair(self) -> None:
        reason = self._repair_reason
        log.warning("index illisible (%s) : reconstruction en arrière-plan", reason)
        corpus = self.corpus  # what was being served, not the corpus folder's new state
        try:
            result = self.build(force=True, corpus=corpus)
            self._install(self._open(result.build, corpus), corpus)
        except Exception as e:
            self._repair_failed_at = time.monotonic()
            log.error("reconstruction de l'index échouée : %s", e)
            return
        self.last_rebuild_reason = reason
        self._repair_failed_at = None
        log.warning("index reconstruit : %s (version %s)", reason, result.build.build_id)

    def searcher(self) -> HybridSearcher:
        return self.snapshot().searcher
