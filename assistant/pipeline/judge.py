"""Judge: how likely each candidate is to answer the question, and the plans to address it
(:class:`assistant.relevance.RelevanceJudge`, learned by ``plan-assistant eval relevance --train``)
— unless staff corrected this question (its words, or once embedded, its meaning): then their
choice is the judgement, with certainty."""

from __future__ import annotations

from assistant.corrections import Match
from assistant.intents.context import AnswerContext
from assistant.pipeline.retrieve import Retrieval
from assistant.reading import Reading
from assistant.relevance import Judged, Judgement


class StaffOrRelevanceJudge:
    def judge(
        self, reading: Reading, retrieval: Retrieval, context: AnswerContext, notes: list[str]
    ) -> tuple[Judgement, Match | None]:
        """The judgement, and the correction that made it (None: the judge's own)."""
        corrections = context.corrections
        staff = _staff(
            reading, context, corrections.match_text(reading.question) if corrections else None, notes
        )
        if staff is not None:
            return staff
        judgement = context.judge.judge(
            reading, context.searcher, context.corpus, retrieval.filters, retrieve=retrieval
        )
        if corrections is not None and judgement.result is not None:
            staff = _staff(reading, context, corrections.match_vector(judgement.result.vector), notes)
            if staff is not None:
                return staff
        return judgement, None


def _staff(
    r: Reading, context: AnswerContext, m: Match | None, notes: list[str]
) -> tuple[Judgement, Match] | None:
    """The judgement a staff correction makes: its actions, certain (None: no correction applies,
    the question continues a conversation, or the correction names nothing of the plans served)."""
    if m is None or r.followup is not None:
        return None
    c = m.correction
    judged = [Judged(hit, {}, 1.0) for ref in c.refs if (hit := context.searcher.hit_of(ref)) is not None]
    if c.refs and not judged:
        return None
    notes.append(f"réponse fixée par le personnel ({m.how}, {c.created.date().isoformat()}, {c.author})")
    return Judgement(None, judged, {}, 1.0 if judged else 0.0), m  # type: ignore[arg-type]
