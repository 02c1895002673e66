"""Record: the answer in the private question log (:mod:`assistant.questionlog`; the question
queued, cleaned and redacted by the log's writer thread, never written as asked), its id returned
with the answer for feedback and staff corrections. Without a log (the command line, the
evaluations, a deployment that turned it off), nothing is recorded."""

from __future__ import annotations

import time

from assistant.answer import Answer
from assistant.pipeline.state import Request
from assistant.questionlog.recorder import QuestionRecorder


class NoRecord:
    def record(self, answer: Answer, request: Request) -> Answer:
        return answer


class LogRecorder:
    def __init__(self, recorder: QuestionRecorder):
        self.recorder = recorder

    def record(self, answer: Answer, request: Request) -> Answer:
        answer_id = self.recorder.record(
            question=answer.question,
            language=answer.lang,
            intent=answer.intent,
            coverage=answer.coverage,
            refs=[c.ref for c in answer.citations],
            latency_ms=(time.perf_counter() - request.started) * 1000,
            build_id=answer.build_id or "",
            origin=request.origin,
            conversation_id=request.conversation_id,
            lead=lead_as_shown(answer.answer),
        )
        return answer.model_copy(update={"answer_id": answer_id})


def lead_as_shown(text: str) -> str:
    """The first line of an answer that is not blank: what the widget shows first, in bold (the
    question log keeps it, redacted, as « the answer as given »)."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
