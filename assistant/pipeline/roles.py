"""One Protocol per role of the answering pipeline, in its order. A component is any object with
the role's method: the standard ones are in this package, one per module; a deployment or a test
may put its own in their place (:class:`~assistant.pipeline.Pipeline`'s arguments)."""

from __future__ import annotations

from typing import Protocol

from assistant.answer import Answer
from assistant.corrections import Match
from assistant.coverage import CoverageDecision
from assistant.intents.context import AnswerContext
from assistant.pipeline.retrieve import Retrieval
from assistant.pipeline.route import Route
from assistant.pipeline.state import Question, Request, Run
from assistant.reading import Intent, Reading
from assistant.relevance import Judgement
from index.service import Snapshot


class Reader(Protocol):
    def receive(self, request: Request, snapshot: Snapshot) -> Question:
        """The question cleaned, bounded and checked; raises :class:`~assistant.normalize.QuestionError`."""
        ...

    def read(self, question: Question) -> Reading | None:
        """The frozen reading; None when the question is refused."""
        ...


class Router(Protocol):
    def route(self, reading: Reading | None) -> Route: ...


class Retriever(Protocol):
    def retrieve(self, reading: Reading, context: AnswerContext) -> Retrieval: ...


class Judge(Protocol):
    def judge(
        self, reading: Reading, retrieval: Retrieval, context: AnswerContext, notes: list[str]
    ) -> tuple[Judgement, Match | None]: ...


class Cover(Protocol):
    def cover(
        self,
        reading: Reading,
        intent: Intent | None,
        judgement: Judgement,
        correction: Match | None,
        retrieval: Retrieval,
        context: AnswerContext,
        notes: list[str],
    ) -> CoverageDecision: ...


class Writer(Protocol):
    #: The answer depends on every previous turn sent (an LLM is shown them), not only on the one
    #: reading reads: the cache keys on them all.
    @property
    def reads_whole_history(self) -> bool: ...

    def compose(self, run: Run) -> tuple[Answer, bool]:
        """The answer, and whether it may be cached."""
        ...


class Recorder(Protocol):
    def record(self, answer: Answer, request: Request) -> Answer: ...
