"""The assistant: reads a question once (:mod:`assistant.reading`), answers it with the handler of
its intent (:mod:`assistant.intents`): exactly from the structured plans when it names what it is
about, by retrieval judged for relevance otherwise; and says what the plans do not say."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Filters, Turn
from assistant.compose import Composer
from assistant.corrections import Corrections
from assistant.intents import HANDLERS, AnswerContext
from assistant.intents.declines import missing_sentence
from assistant.llm import LLM
from assistant.normalize import QuestionError, clean_question, detect_language, strip_instructions
from assistant.organisation import Organisation
from assistant.reading import Intent, Reading, ReadingContext, read_question
from assistant.reading.followup import TURNS_READ
from assistant.relevance import RelevanceJudge, RelevanceModel
from assistant.vocabulary import QUESTION_WORDS
from corpus import Corpus, Kind
from corpus.lru import LRUCache
from corpus.settings import CorpusSettings
from corpus.text import fold
from index.analysis import analyze
from index.hybrid import HybridSearcher
from index.service import IndexService, Snapshot

_SNAPSHOT: ContextVar[Snapshot | None] = ContextVar("plan_assistant_snapshot", default=None)


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


class Assistant:
    def __init__(
        self,
        index: IndexService,
        max_question_length: int = 1000,
        llm: LLM | None = None,
        max_history_turns: int = 10,
        cache_size: int = 1024,
        relevance: RelevanceModel | None = None,
        organisation: Organisation | None = None,
    ):
        self.index = index
        #: Who publishes the plans, its channels (organisation.yaml beside the plans; by default the
        #: index's corpus folder, else the configured one).
        self.organisation = organisation or Organisation.load(
            index.corpus_dir if index.corpus_dir is not None else Path(CorpusSettings().corpus_dir)
        )
        self.max_question_length = max_question_length
        self.max_history_turns = max_history_turns
        self.llm = llm
        self.judge = RelevanceJudge(relevance or RelevanceModel.load())
        self._cache: LRUCache[tuple[Any, ...], Answer] = LRUCache(cache_size)
        self._contexts: LRUCache[str, ReadingContext] = LRUCache(2)  # the current build, and the one before
        #: Staff corrections, when the question log is on (set by the composition root).
        self.corrections: Corrections | None = None

    @property
    def corpus(self) -> Corpus:
        """The corpus of the request's snapshot (outside a request: the index's current one)."""
        snap = _SNAPSHOT.get()
        return snap.corpus if snap is not None else self.index.corpus

    def _searcher(self) -> HybridSearcher:
        snap = _SNAPSHOT.get()
        return snap.searcher if snap is not None else self.index.searcher()

    def reading_context(self, snap: Snapshot) -> ReadingContext:
        """What reading needs of a build (its corpus and vocabulary), computed once per build."""
        ctx = self._contexts.get(snap.build_id)
        if ctx is None:
            ctx = ReadingContext.build(snap.corpus, snap.searcher.analyser)
            self._contexts.put(snap.build_id, ctx)
        return ctx

    # ------------------------------------------------------------------ entry point
    def ask(
        self,
        question: str,
        history: list[Turn] | list[dict[str, Any]] | None = None,
        filters: Filters | dict[str, Any] | None = None,
    ) -> Answer:
        """The answer to a question, from the cache when the same question (same build, same
        previous turns, same filters) was answered before.

        Only two kinds of answers are cached: composed answers (no LLM, or an answer that does not
        go to it) and generated answers that :func:`assistant.llm.check_generated` accepted
        (``generated``). When the LLM was asked and its text was refused, or it did not answer
        (timeout, unavailable), the composed answer is served but not cached: the next ask of the
        same question tries the LLM again, and no unchecked text is ever served from the cache."""
        q = clean_question(question, self.max_question_length)
        # The one bound of the history: its most recent turns (what the LLM is shown; reading itself reads
        # the last one, :data:`assistant.reading.followup.TURNS_READ`).
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or [])][
            -self.max_history_turns :
        ]
        f = filters if isinstance(filters, Filters) else Filters.model_validate(filters or {})
        snap = self.index.snapshot()
        f = check_filters(f, snap.corpus)
        if self.corrections is not None:
            self.corrections.refresh()
        key = (
            snap.build_id,
            self.corrections.version if self.corrections is not None else 0,
            q,
            # What the answer depends on: the turns reading reads (all of them when an LLM is shown them).
            tuple(
                (t.question, tuple(t.refs), tuple(t.related))
                for t in (turns if self.llm is not None else turns[-TURNS_READ:])
            ),
            f.model_dump_json(),
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        token = _SNAPSHOT.set(snap)  # the whole answer reads one corpus and one index
        try:
            answer = self._answer(q, turns, f, snap)
        finally:
            _SNAPSHOT.reset(token)
        if self.llm is not None and answer.found:
            answer = self.llm.rewrite(answer, turns)
            answer = answer.model_copy(update={"links": self.organisation.links(answer.answer)})
            if not answer.generated:  # refused or no answer from the LLM: served, not cached
                return answer
        self._cache.put(key, answer)
        return answer

    def clear_caches(self) -> None:
        """Forget cached answers and query embeddings (the index clears them on a new build)."""
        self._cache.clear()
        self.index.embedder.clear_cache()

    def read(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        snap: Snapshot | None = None,
    ) -> tuple[Reading | None, AnswerContext]:
        """The question read as its answer reads it, and what its handler works with (None: a
        question addressed to the assistant's instructions, refused). The evaluations train and
        measure on this very path."""
        q = clean_question(question, self.max_question_length)
        return self._read(q, history or [], filters or Filters(), snap or self.index.snapshot())

    def _read(
        self, q: str, history: list[Turn], f: Filters, snap: Snapshot
    ) -> tuple[Reading | None, AnswerContext]:
        """:meth:`read`, of a question already cleaned."""
        read, instructed = strip_instructions(q)
        ctx = AnswerContext(snap.corpus, snap.searcher, self.judge, f, self.corrections)
        own_words = [w for w in analyze(read) if w not in QUESTION_WORDS and not w.isdigit()]
        if instructed and len(own_words) < 2 and not any(ch.isdigit() for ch in read):
            return None, ctx
        r = read_question(read, self.reading_context(snap), history)
        if instructed:
            r.notes.append("consignes adressées à l'assistant retirées de la question")
        if f.plan and f.plan in snap.corpus.plans:
            r.plans = [f.plan]
        return r, ctx

    def _answer(self, q: str, turns: list[Turn], f: Filters, snap: Snapshot) -> Answer:
        r, ctx = self._read(q, turns, f, snap)
        if r is None:
            return self._refusal(q, snap.build_id)
        c = Composer(r.lang, self.organisation)
        coverage = HANDLERS[r.intent](r, ctx, c)
        if r.missing and r.intent != Intent.MISSING and coverage != "none":
            c.add("", missing_sentence(r, ctx, c))
        found = coverage != "none"
        return Answer(
            question=q,
            answer=c.text(),
            lead=c.lead_text(),
            coverage=coverage,
            found=found,
            sure=c.sure,
            confidence=round(c.confidence, 4) if c.confidence is not None and found else None,
            citations=c.citations if found else [],
            lang=c.lang,
            intent=r.intent.value,
            notes=[f"intention : {r.intent.value}", *r.notes],
            links=self.organisation.links(c.text()),
            build_id=snap.build_id,  # the build that answered (what the question log records)
        )

    def welcome(self, lang: str) -> tuple[str, list[str]]:
        """The widget's welcome in ``lang`` (the plans it answers about) and questions to try."""
        c = Composer(lang, self.organisation)
        return c.about("welcome", list(self.corpus)), self.organisation.examples(c.lang)

    def _refusal(self, q: str, build_id: str) -> Answer:
        c = Composer(detect_language(q), self.organisation)
        text = c.about("refusal", list(self.corpus))
        return Answer(
            question=q,
            answer=text,
            lead=text,
            coverage="none",
            found=False,
            citations=[],
            lang=c.lang,
            intent="consigne",
            links=self.organisation.links(text),
            build_id=build_id,
            notes=["question adressée aux consignes de l'assistant"],
        )
