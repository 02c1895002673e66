"""What one answer is made of, from the request to the log: the :class:`Request` as received, the
:class:`Question` once cleaned and checked, and the :class:`Run` each component of the pipeline
reads and adds to, in order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answer import Answer, Filters, Turn
from assistant.reading import Reading
from assistant.relevance import Judgement
from index.service import Snapshot

if TYPE_CHECKING:  # the components' own types, for the run's fields
    from assistant.corrections import Match
    from assistant.coverage import CoverageDecision
    from assistant.intents.context import AnswerContext
    from assistant.pipeline.retrieve import Retrieval
    from assistant.pipeline.route import Route


@dataclass(frozen=True)
class Request:
    """A question as a caller sends it (the API, the command line, an evaluation)."""

    question: str
    history: tuple[Turn, ...] = ()
    filters: Filters = field(default_factory=Filters)
    #: The host page that asked (the widget's site), for the question log.
    origin: str | None = None
    #: The caller's conversation, for the question log (never a person's identity).
    conversation_id: str | None = None
    #: When it was received (the log records the answer's latency from here).
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def of(
        cls,
        question: str,
        history: list[Turn] | list[dict[str, object]] | tuple[Turn, ...] | None = None,
        filters: Filters | dict[str, object] | None = None,
        **more: object,
    ) -> Request:
        """A request from what callers hold: turns and filters as models or as JSON objects."""
        turns = tuple(t if isinstance(t, Turn) else Turn.model_validate(t) for t in (history or ()))
        f = filters if isinstance(filters, Filters) else Filters.model_validate(filters or {})
        return cls(question, turns, f, **more)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Question:
    """The question received: cleaned, its history bounded, its filters checked against the corpus,
    and the one snapshot (corpus and index) everything after reads, down to the log."""

    text: str
    turns: tuple[Turn, ...]
    filters: Filters
    snapshot: Snapshot


@dataclass
class Run:
    """One answer being made: what each component produced, in the pipeline's order. A component
    reads what the ones before it left and adds its own; nothing is computed twice."""

    request: Request
    question: Question | None = None
    #: The frozen reading (None: a question addressed to the assistant's instructions, refused).
    reading: Reading | None = None
    route: Route | None = None
    #: What the handler works with: the snapshot's corpus and searcher, the judge, the filters.
    context: AnswerContext | None = None
    retrieval: Retrieval | None = None
    judgement: Judgement | None = None
    #: The staff correction that decides this answer instead of the judge (None: the judge decides).
    correction: Match | None = None
    decision: CoverageDecision | None = None
    answer: Answer | None = None
    #: The answer may be served again to the same question (see :meth:`Pipeline.run`).
    cacheable: bool = True
    #: What the components noticed, for the answer's notes (after the reading's own).
    notes: list[str] = field(default_factory=list)
    #: The components run, in order (« cache » when the answer was the cached one).
    trace: list[str] = field(default_factory=list)
