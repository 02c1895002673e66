"""What the service holds: the settings, the corpus, and the assistant once its index is ready.

The index is loaded (built on first start if missing) at start-up. When it cannot be (a Chroma
server that is down), the service still starts: ``/readyz`` says not ready, questions get a 503,
and the next request tries again, so the service recovers by itself when the store returns."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from assistant.llm import llm_from_settings
from assistant.service import Assistant
from assistant.settings import Settings
from corpus import Corpus, load_corpus
from index.embeddings import make_embedder
from index.location import IndexError_, location_for
from index.service import IndexService
from index.store import StoreUnavailable

log = logging.getLogger("plan_assistant.api")


class ServiceState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._corpus: Corpus = load_corpus(Path(settings.corpus_dir))
        self.embedder = make_embedder(settings.embeddings)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self._last_attempt = 0.0
        self.started = time.time()
        self._reindex_lock = threading.Lock()
        self.reindex_status: dict[str, object] = {"state": "aucune"}

    @property
    def corpus(self) -> Corpus:
        """The corpus of the index being served (it follows a re-index)."""
        a = self._assistant
        return a.index.corpus if a is not None else self._corpus

    def _build(self) -> Assistant:
        s = self.settings
        index = IndexService(
            corpus=self._corpus,
            embedder=self.embedder,
            location=location_for(Path(s.data_dir), s.chroma_host, s.chroma_port),
            config=s.retrieval,
            corpus_dir=Path(s.corpus_dir),
        )
        index.ensure(rebuild=True)
        if index.last_rebuild_reason:
            log.warning("index reconstruit : %s", index.last_rebuild_reason)
        return Assistant(index, max_question_length=s.max_question_length, llm=llm_from_settings(s))

    def start(self) -> None:
        """Load the index at start-up (building it when missing); never raises."""
        self.embedder.warm_up()
        try:
            self.assistant()
        except (StoreUnavailable, IndexError_) as e:
            log.error("index non disponible au démarrage : %s", e)

    def assistant(self) -> Assistant:
        """The ready assistant, or an exception the API turns into a 503."""
        a = self._assistant
        if a is not None:
            return a
        with self._lock:
            if self._assistant is not None:
                return self._assistant
            self._last_attempt = time.monotonic()
            try:
                self._assistant = self._build()
                self.last_error = None
            except (StoreUnavailable, IndexError_) as e:
                self.last_error = str(e)
                raise
            return self._assistant

    # ------------------------------------------------------------------ re-index while serving
    def start_reindex(self) -> bool:
        """Start a re-index in the background; False when one is already running."""
        if not self._reindex_lock.acquire(blocking=False):
            return False
        threading.Thread(target=self._reindex, name="reindex", daemon=True).start()
        return True

    def _reindex(self) -> None:
        """Build a new index from the corpus on disk, beside the one being served, and switch to it;
        requests in flight finish on the old one. Runs holding the re-index lock, and releases it."""
        try:
            self.reindex_status = {"state": "en cours", "started": time.time()}
            assistant = self.assistant()
            index = assistant.index
            fresh = load_corpus(Path(self.settings.corpus_dir))
            old_corpus = index.corpus
            index.corpus = fresh
            try:
                result = index.build()
            except BaseException:
                index.corpus = old_corpus
                raise
            index.ensure(rebuild=False)
            self.reindex_status = {
                "state": "terminé",
                "build": result.build.build_id,
                "changed": result.changed,
                "documents": result.build.doc_count,
                "embedded": result.build.embedded,
            }
        except Exception as e:
            self.reindex_status = {"state": "échec", "error": str(e)}
            log.exception("réindexation échouée")
        finally:
            self._reindex_lock.release()
