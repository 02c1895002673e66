"""Staff corrections, applied before anything is guessed: when staff decided which actions answer a
question (or that the plans do not answer it), that question and its near paraphrases are answered
as they decided, from the next answer on, in every process (each reads the corrections in force
from the question log, at most every :attr:`Corrections.check_seconds`).

A new question matches a correction when its words, folded, are the correction's (« Y a-t-il de
l'aide pour l'épicerie ? » and « y a t il de l aide pour l epicerie »), nearly so (a typo, a word
more: a similarity of :data:`TEXT_SIMILARITY` or more), or, when the question was embedded, when
its vector is at :data:`VECTOR_SIMILARITY` or more of the correction's (a paraphrase)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from assistant.questionlog.records import Correction
from corpus.text import fold

log = logging.getLogger("plan_assistant.corrections")

#: A question this close to a correction's, in its folded words (rapidfuzz ratio, 0–100), is it.
TEXT_SIMILARITY = 90.0
#: A question whose vector is this close to a correction's (cosine) is a paraphrase of it.
VECTOR_SIMILARITY = 0.94

_PUNCT = re.compile(r"[^\w]+")


def normalised(question: str) -> str:
    """The question's words, folded (accents, case, punctuation and spacing do not count)."""
    return " ".join(_PUNCT.sub(" ", fold(question)).split())


@dataclass(frozen=True)
class Match:
    correction: Correction
    how: str  # « mêmes mots », « presque les mêmes mots », « même sens »
    similarity: float


class Corrections:
    """The corrections in force, read from ``load`` when ``version`` changes; their questions
    embedded with ``embed`` (None: matched by their words only)."""

    check_seconds = 1.0

    def __init__(
        self,
        load: Callable[[], Sequence[Correction]],
        version: Callable[[], object],
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ):
        self._load = load
        self._version_of = version
        self._embed = embed
        self._lock = threading.Lock()
        self._items: list[Correction] = []
        self._keys: list[str] = []
        self._vectors: np.ndarray | None = None
        self._seen: object = None
        self._checked = 0.0
        #: Changes whenever the corrections in force change (answers cached before are not reused).
        self.version = 0

    def refresh(self, force: bool = False) -> None:
        """Read the corrections again when they changed (at most every ``check_seconds``, unless
        ``force``). A log that does not answer keeps the corrections already read."""
        now = time.monotonic()
        if not force and now - self._checked < self.check_seconds:
            return
        self._checked = now
        try:
            seen = self._version_of()
            if seen == self._seen and not force:
                return
            items = list(self._load())
        except Exception as e:  # the log is down: keep what was read
            log.warning("corrections du personnel illisibles (%s) : les dernières lues restent", e)
            return
        keys = [normalised(c.question) for c in items]
        vectors = None
        if self._embed is not None and items:
            try:
                vectors = np.asarray(self._embed([c.question for c in items]), dtype=np.float32)
            except Exception as e:
                log.warning("corrections : questions non embarquées (%s); comparées par leurs mots", e)
        with self._lock:
            changed = keys != self._keys or [c.refs for c in items] != [c.refs for c in self._items]
            self._items, self._keys, self._vectors, self._seen = items, keys, vectors, seen
            if changed:
                self.version += 1

    def __len__(self) -> int:
        return len(self._items)

    def match_text(self, question: str) -> Match | None:
        """The correction whose question has the same words, or nearly."""
        self.refresh()
        key = normalised(question)
        with self._lock:
            items, keys = self._items, self._keys
        if key in keys:
            return Match(items[keys.index(key)], "mêmes mots", 100.0)
        best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=TEXT_SIMILARITY)
        return Match(items[best[2]], "presque les mêmes mots", best[1]) if best else None

    def match_vector(self, vector: np.ndarray | None) -> Match | None:
        """The correction whose question means the same (its vector within :data:`VECTOR_SIMILARITY`)."""
        with self._lock:
            items, vectors = self._items, self._vectors
        if vector is None or vectors is None or not len(items):
            return None
        sims = vectors @ np.asarray(vector, dtype=np.float32)
        i = int(np.argmax(sims))
        return Match(items[i], "même sens", float(sims[i])) if sims[i] >= VECTOR_SIMILARITY else None
