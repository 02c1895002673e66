"""Compose: the handler of the route writes the answer (:mod:`assistant.intents`, into a
:class:`~assistant.compose.Composer`): its first sentence, its citations, what is related, what the
plans do not say; then the optional LLM rephrases it (:mod:`assistant.llm`, checked against its
sources). A refused question gets the refusal."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.compose import Composer
from assistant.intents.declines import missing_sentence
from assistant.llm import LLM
from assistant.normalize import detect_language
from assistant.organisation import Organisation
from assistant.pipeline.state import Run
from assistant.reading import Intent
from corpus.model import Plan


class AnswerWriter:
    def __init__(self, organisation: Organisation, llm: LLM | None = None):
        self.organisation = organisation
        self.llm = llm

    @property
    def reads_whole_history(self) -> bool:
        return self.llm is not None

    def compose(self, run: Run) -> tuple[Answer, bool]:
        """The answer, and whether it may be served again from the cache: a composed answer (no
        LLM, or one that does not go to it), or a generated one :func:`assistant.llm.check_generated`
        accepted. When the LLM's text was refused or it did not answer, the composed answer is served
        but not cached, so that the next ask tries the LLM again and no unchecked text is ever cached."""
        assert run.question is not None and run.route is not None
        answer = self._composed(run)
        if self.llm is None or not answer.found:
            return answer, True
        answer = self.llm.rewrite(answer, list(run.question.turns))
        answer = answer.model_copy(update={"links": self.organisation.links(answer.answer)})
        return answer, answer.generated

    def _composed(self, run: Run) -> Answer:
        q, r, route, ctx = run.question, run.reading, run.route, run.context
        assert q is not None and route is not None
        build = q.snapshot.build_id  # the build that answered (what the question log records)
        if r is None or route.handler is None or ctx is None:
            return self.refusal(q.text, list(q.snapshot.corpus), build)
        c = Composer(r.lang, self.organisation)
        coverage = route.handler(r, ctx, c)
        if r.missing and r.intent != Intent.MISSING and coverage != "none":
            c.add("", missing_sentence(r, ctx, c))
        found = coverage != "none"
        return Answer(
            question=q.text,
            answer=c.text(),
            lead=c.lead_text(),
            coverage=coverage,
            found=found,
            sure=c.sure,
            confidence=round(c.confidence, 4) if c.confidence is not None and found else None,
            citations=c.citations if found else [],
            lang=c.lang,
            intent=r.intent.value,
            notes=[f"intention : {r.intent.value}", *r.notes, *run.notes],
            links=self.organisation.links(c.text()),
            build_id=build,
        )

    def refusal(self, question: str, plans: list[Plan], build_id: str) -> Answer:
        """Instructions to the assistant, and nothing to answer: what it answers about instead."""
        c = Composer(detect_language(question), self.organisation)
        text = c.about("refusal", plans)
        return Answer(
            question=question,
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
