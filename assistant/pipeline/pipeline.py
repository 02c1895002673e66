"""The answering pipeline: one object, run the same way by the API, the command line and the
evaluations. Its order is the answer's::

    receive → (cache) → read → route → [retrieve → judge → cover] → compose → record

- **receive** (:mod:`.read`): the question cleaned, its history bounded, its filters checked, and
  the one snapshot (corpus and index) the answer reads from here to the log;
- **cache**: the same question, turns, filters, build and staff corrections answered before;
- **read** (:mod:`.read`): the question read once into a frozen :class:`~assistant.reading.Reading`;
- **route** (:mod:`.route`): the handler of its intent, and whether its subject is judged;
- **retrieve** (:mod:`.retrieve`): the hybrid search's candidates, each way of searching once;
- **judge** (:mod:`.judge`): the candidates' relevance, or the staff's correction;
- **cover** (:mod:`.cover`): what the plans answer: complete, partial or none, sure or not;
- **compose** (:mod:`.compose`): the handler writes the answer; the optional LLM rephrases it;
- **record** (:mod:`.record`): the private question log, when it is on.

Retrieve, judge and cover run only when the route asks (a topical question, « qui s'occupe de la
sécurité alimentaire? »); « Qui s'occupe de l'action 37? » is answered from the plans' structure."""

from __future__ import annotations

from typing import Any

from assistant.answer import Answer
from assistant.corrections import Corrections
from assistant.intents.context import AnswerContext
from assistant.pipeline.cover import CoverageDecider
from assistant.pipeline.judge import StaffOrRelevanceJudge
from assistant.pipeline.read import QuestionReader
from assistant.pipeline.record import NoRecord
from assistant.pipeline.retrieve import HybridRetriever
from assistant.pipeline.roles import Cover, Judge, Reader, Recorder, Retriever, Router, Writer
from assistant.pipeline.route import IntentRouter
from assistant.pipeline.state import Question, Request, Run
from assistant.reading.followup import TURNS_READ
from assistant.relevance import RelevanceJudge
from corpus.lru import LRUCache
from index.service import IndexService

#: The components' names, in the order they run.
ORDER = ("receive", "read", "route", "retrieve", "judge", "cover", "compose", "record")


class Pipeline:
    def __init__(
        self,
        index: IndexService,
        relevance: RelevanceJudge,
        reader: Reader,
        router: Router,
        retriever: Retriever,
        judge: Judge,
        cover: Cover,
        writer: Writer,
        recorder: Recorder | None = None,
        cache_size: int = 1024,
    ):
        self.index = index
        self.relevance = relevance  # the learned judge the handlers also consult (its model's bars)
        self.reader = reader
        self.router = router
        self.retriever = retriever
        self.judge = judge
        self.cover = cover
        self.writer = writer
        self.recorder: Recorder = recorder or NoRecord()
        #: Staff corrections, when the question log is on (set by the composition root).
        self.corrections: Corrections | None = None
        self.cache: LRUCache[tuple[Any, ...], Answer] = LRUCache(cache_size)

    @classmethod
    def standard(
        cls,
        index: IndexService,
        relevance: RelevanceJudge,
        writer: Writer,
        max_question_length: int = 1000,
        max_history_turns: int = 10,
        cache_size: int = 1024,
    ) -> Pipeline:
        """The standard components, in order, around ``writer`` (the organisation's texts and the
        optional LLM: :class:`~assistant.pipeline.compose.AnswerWriter`)."""
        return cls(
            index,
            relevance,
            reader=QuestionReader(max_question_length, max_history_turns),
            router=IntentRouter(),
            retriever=HybridRetriever(),
            judge=StaffOrRelevanceJudge(),
            cover=CoverageDecider(),
            writer=writer,
            cache_size=cache_size,
        )

    # ------------------------------------------------------------------ running
    def run(self, request: Request) -> Answer:
        """The answer to a request (recorded in the question log when it is on)."""
        answer = self.execute(request).answer
        assert answer is not None
        return answer

    def execute(self, request: Request) -> Run:
        """The whole run: what each component produced, and their names in the order they ran."""
        run = Run(request)
        question = self._step(run, "receive", lambda: self.reader.receive(request, self.index.snapshot()))
        run.question = question
        if self.corrections is not None:
            self.corrections.refresh()
        key = self._key(question)
        cached = self.cache.get(key)
        if cached is not None:
            run.trace.append("cache")
        else:
            self._answer(run, question)
            assert run.answer is not None
            if run.cacheable:
                self.cache.put(key, run.answer)
            cached = run.answer
        run.answer = self._step(run, "record", lambda: self.recorder.record(cached, request))
        return run

    def _answer(self, run: Run, question: Question) -> None:
        run.reading = reading = self._step(run, "read", lambda: self.reader.read(question))
        run.route = route = self._step(run, "route", lambda: self.router.route(reading))
        if reading is not None:
            run.context = ctx = self.context(question)
            if route.judged:
                run.retrieval = retrieval = self._step(
                    run, "retrieve", lambda: self.retriever.retrieve(reading, ctx)
                )
                run.judgement, run.correction = self._step(
                    run, "judge", lambda: self.judge.judge(reading, retrieval, ctx, run.notes)
                )
                judgement = run.judgement
                run.decision = self._step(
                    run,
                    "cover",
                    lambda: self.cover.cover(
                        reading, route.intent, judgement, run.correction, retrieval, ctx, run.notes
                    ),
                )
                ctx.judgement, ctx.decision = run.judgement, run.decision
        run.answer, run.cacheable = self._step(run, "compose", lambda: self.writer.compose(run))

    def context(self, question: Question) -> AnswerContext:
        """What the handler of ``question`` works with: its snapshot's corpus and searcher, the judge,
        its filters, the staff's corrections."""
        snap = question.snapshot
        return AnswerContext(snap.corpus, snap.searcher, self.relevance, question.filters, self.corrections)

    def _step(self, run: Run, name: str, do: Any) -> Any:
        run.trace.append(name)
        return do()

    def _key(self, q: Question) -> tuple[Any, ...]:
        """What an answer depends on: the build, the staff's corrections, the question, the turns
        reading reads (all of them when an LLM is shown them), the filters."""
        turns = q.turns if self.writer.reads_whole_history else q.turns[-TURNS_READ:]
        return (
            q.snapshot.build_id,
            self.corrections.version if self.corrections is not None else 0,
            q.text,
            tuple((t.question, tuple(t.refs), tuple(t.related)) for t in turns),
            q.filters.model_dump_json(),
        )
