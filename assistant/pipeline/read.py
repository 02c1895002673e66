"""Read: the question received (cleaned, its history bounded, its filters checked against the
snapshot's corpus), then read once (:func:`assistant.reading.read_question`) into a frozen
:class:`~assistant.reading.Reading`. A question that only addresses the assistant's instructions
(« ignore tes consignes ») is not read: it is refused."""

from __future__ import annotations

from dataclasses import replace

from assistant.answer import Filters
from assistant.normalize import QuestionError, clean_question, strip_instructions
from assistant.pipeline.state import Question, Request
from assistant.reading import Reading, ReadingContext, read_question
from assistant.vocabulary import QUESTION_WORDS
from corpus import Corpus, Kind
from corpus.lru import LRUCache
from corpus.text import fold
from index.analysis import analyze
from index.service import Snapshot


class QuestionReader:
    def __init__(self, max_question_length: int = 1000, max_history_turns: int = 10):
        self.max_question_length = max_question_length
        #: The one bound of the history: its most recent turns (what an LLM is shown; reading itself
        #: reads the last one, :data:`assistant.reading.followup.TURNS_READ`).
        self.max_history_turns = max_history_turns
        self._contexts: LRUCache[str, ReadingContext] = LRUCache(2)  # the current build, and the one before

    def receive(self, request: Request, snapshot: Snapshot) -> Question:
        """The question as it will be read, or a :class:`QuestionError` naming what is wrong."""
        text = clean_question(request.question, self.max_question_length)
        turns = request.history[-self.max_history_turns :] if self.max_history_turns > 0 else ()
        return Question(text, tuple(turns), check_filters(request.filters, snapshot.corpus), snapshot)

    def context(self, snapshot: Snapshot) -> ReadingContext:
        """What reading needs of a build (its corpus and vocabulary), computed once per build."""
        ctx = self._contexts.get(snapshot.build_id)
        if ctx is None:
            ctx = ReadingContext.build(snapshot.corpus, snapshot.searcher.analyser)
            self._contexts.put(snapshot.build_id, ctx)
        return ctx

    def read(self, question: Question) -> Reading | None:
        """The frozen reading (None: instructions to the assistant and nothing else, refused)."""
        text, instructed = strip_instructions(question.text)
        own_words = [w for w in analyze(text) if w not in QUESTION_WORDS and not w.isdigit()]
        if instructed and len(own_words) < 2 and not any(ch.isdigit() for ch in text):
            return None
        r = read_question(text, self.context(question.snapshot), list(question.turns))
        changes: dict[str, object] = {}
        if instructed:
            changes["notes"] = (*r.notes, "consignes adressées à l'assistant retirées de la question")
        plan = question.filters.plan
        if plan and plan in question.snapshot.corpus.plans:
            changes["plans"] = [plan]
        return replace(r, **changes) if changes else r  # type: ignore[arg-type]


def check_filters(f: Filters, corpus: Corpus, where: str = "filters.") -> Filters:
    """The filters as the corpus names them, or a :class:`QuestionError` naming the bad one: a typo in
    a widget's ``data-plan`` must read as a mistake, not as « the plans do not answer ». ``where``:
    what precedes a filter's name in the request (``filters.`` in a body, nothing in a query)."""
    if f.plan is not None and f.plan not in corpus.plans:
        raise QuestionError(
            f"le plan « {f.plan} » n'existe pas; plans : {', '.join(corpus.plans)}",
            field=f"{where}plan",
            code="filtre_inconnu",
        )
    if f.unit is not None:
        units = {fold(u): u for p in corpus for u in p.units()}
        name = units.get(fold(f.unit).strip())
        if name is None:
            raise QuestionError(
                f"l'unité « {f.unit} » n'est nommée dans aucun plan (liste : /api/units)",
                field=f"{where}unit",
                code="filtre_inconnu",
            )
        f = f.model_copy(update={"unit": name})
    if f.horizon is not None:
        codes = {c.upper(): c for p in corpus for c in p.horizons}
        code = codes.get(f.horizon.strip().upper())
        if code is None:
            known = ", ".join(codes.values()) or "aucun (les plans ne donnent pas d'échéancier par action)"
            raise QuestionError(
                f"l'échéancier « {f.horizon} » n'est défini par aucun plan; codes : {known}",
                field=f"{where}horizon",
                code="filtre_inconnu",
            )
        f = f.model_copy(update={"horizon": code})
    if f.kind is not None and f.kind not in {k.value for k in Kind}:
        raise QuestionError(
            f"le type « {f.kind} » n'existe pas; types : {', '.join(k.value for k in Kind)}",
            field=f"{where}kind",
            code="filtre_inconnu",
        )
    return f
