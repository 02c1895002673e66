"""What the service holds: the settings, the corpus, and the assistant once its index is ready.

The index is loaded (built on first start if missing) at start-up. When it cannot be (a Chroma
server that is down), the service still starts: ``/readyz`` says not ready, questions get a 503,
and the next request tries again, so the service recovers by itself when the store returns. The
same holds when the index breaks while serving (files damaged or removed): a 503, then the build
reopened, or rebuilt in the background (``IndexService(auto_repair=True)``), without a restart."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np

from api.schemas import LogHealth
from api.settings import Settings
from assistant.application import build_application
from assistant.corrections import Corrections
from assistant.pipeline.record import LogRecorder
from assistant.questionlog import QuestionLog
from assistant.questionlog.recorder import QuestionRecorder
from assistant.service import Assistant
from corpus import Corpus, load_corpus
from index.embeddings import make_embedder
from index.location import IndexError_
from index.service import IndexService
from index.store import StoreUnavailable

log = logging.getLogger("plan_assistant.api")


def open_recorder(settings: Settings) -> QuestionRecorder | None:
    """The question log the settings ask for (its tables migrated, its days those of the
    organisation's time zone), started; None when it is off. Raises what opening its database
    raised."""
    if not settings.log_enabled:
        return None
    from assistant.questionlog import QuestionLog, default_url

    store = QuestionLog(settings.log_url or default_url(Path(settings.data_dir)), zone=settings.log_zone())
    recorder = QuestionRecorder(
        store, capacity=settings.log_queue_size, retention_days=settings.log_retention_days
    )
    recorder.start()
    return recorder


def staff_corrections(store: QuestionLog, assistant: Assistant) -> Corrections:
    """The corrections staff recorded in the question log, applied by ``assistant`` (their questions
    embedded as the assistant embeds a question, to recognise paraphrases)."""

    def embed(texts: list[str]) -> np.ndarray:
        searcher = assistant.index.searcher()
        return np.array([searcher.question_vector(t, searcher.analyse(t)) for t in texts])

    return Corrections(store.corrections, store.corrections_version, embed)


class ServiceState:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._corpus: Corpus = load_corpus(Path(settings.corpus_dir))
        self.embedder = make_embedder(settings.embeddings, settings.question_cache_size)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self._last_attempt = 0.0
        self.started = time.time()
        self._reindex_lock = threading.Lock()
        self.reindex_status: dict[str, object] = {"state": "aucune"}
        #: The private question log (None when it is off, or its database could not be opened).
        self.recorder: QuestionRecorder | None = None
        #: Why the question log's database could not be opened at start-up (None: it opened, or is off).
        self.log_error: str | None = None

    @property
    def corpus(self) -> Corpus:
        """The corpus of the index being served (it follows a re-index)."""
        a = self._assistant
        if a is None:
            return self._corpus
        try:  # a build published by another worker is seen by pages and listings too
            return a.index.snapshot().corpus
        except (StoreUnavailable, IndexError_):
            return a.index.corpus

    def _build(self) -> Assistant:
        index = IndexService.from_settings(
            self.settings, embedder=self.embedder, corpus=self._corpus, auto_repair=True
        )
        application = build_application(self.settings, index=index)
        if index.last_rebuild_reason:
            log.warning("index reconstruit : %s", index.last_rebuild_reason)
        assistant = application.assistant
        if self.recorder is not None:  # every answer recorded, staff corrections applied
            assistant.pipeline.recorder = LogRecorder(self.recorder)
            assistant.corrections = staff_corrections(self.recorder.store, assistant)
        return assistant

    def current_assistant(self) -> Assistant | None:
        """The assistant when it is ready (None before, without trying to build it)."""
        return self._assistant

    def start(self) -> None:
        """Load the index at start-up (building it when missing) and open the question log; never
        raises."""
        self.embedder.warm_up()
        try:
            self.recorder = open_recorder(self.settings)
        except Exception as e:  # the service answers without its log rather than not at all
            self.log_error = f"la base du journal ne s'ouvre pas ({type(e).__name__})"
            log.error(
                "journal des questions indisponible (%s) : les réponses ne sont pas journalisées",
                type(e).__name__,
            )
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

    def log_health(self) -> LogHealth:
        """The question log's state for ``/readyz``: failing when its database did not open, or its
        last writes (or purge) failed."""
        if self.log_error is not None:
            return LogHealth(
                status="en_panne", detail=self.log_error + " : les réponses ne sont pas journalisées"
            )
        recorder = self.recorder
        if recorder is None:
            return LogHealth(status="desactive")
        failing = recorder.failing()
        return LogHealth.model_validate(
            {"status": "ok" if failing is None else "en_panne", "detail": failing, **recorder.counters()}
        )

    def close(self) -> None:
        """At shutdown: what the question log holds in its queue is written."""
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None

    def _public(self, text: str) -> str:
        """``text`` without the absolute paths of the data and corpus folders (written ``DATA`` and
        ``CORPUS``), for what an HTTP response shows."""
        forms = {
            (form, name)
            for folder, name in ((self.settings.data_dir, "DATA"), (self.settings.corpus_dir, "CORPUS"))
            for form in (str(Path(folder).resolve()), str(Path(folder).absolute()))
            if len(form) > 1
        }
        for form, name in sorted(forms, key=lambda f: -len(f[0])):
            text = text.replace(form, name)
        return text

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
            index = self.assistant().index
            # The corpus switches with its index, when the new build is published (not before).
            result = index.build(corpus=load_corpus(Path(self.settings.corpus_dir)))
            index.snapshot()
            self.reindex_status = {
                "state": "terminé",
                "build": result.build.build_id,
                "changed": result.changed,
                "documents": result.build.doc_count,
                "embedded": result.build.embedded,
            }
        except Exception as e:
            self.reindex_status = {"state": "échec", "error": self._public(str(e))}
            log.exception("réindexation échouée")
        finally:
            self._reindex_lock.release()
