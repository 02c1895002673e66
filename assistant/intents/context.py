"""What an intent handler works with for one question: the snapshot's corpus and searcher, the
relevance judge, the caller's filters. A handler writes into a :class:`~assistant.compose.Composer`
and returns the answer's coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Filters
from assistant.compose import Composer
from assistant.corrections import Corrections, Match
from assistant.coverage import Coverage, CoverageDecision, decide_coverage
from assistant.reading import Reading
from assistant.relevance import Judged, Judgement, RelevanceJudge
from corpus import Corpus
from corpus.model import Node, Plan
from index.bank import BankIndex
from index.hybrid import HybridSearcher


@dataclass
class AnswerContext:
    corpus: Corpus
    searcher: HybridSearcher
    judge: RelevanceJudge
    filters: Filters
    corrections: Corrections | None = None

    def search_filters(self, r: Reading) -> dict[str, str | None]:
        plan = self.filters.plan
        if plan is None and r.followup is not None and not r.named and len(r.followup.plans) == 1:
            plan = r.followup.plans[0]  # a follow-up stays in the plan of the previous answer
        return {"plan": plan, "unit": self.filters.unit, "horizon": self.filters.horizon}

    def judge_question(self, r: Reading) -> tuple[Judgement, CoverageDecision]:
        """The candidates judged and the decision: what staff decided for this question when they
        corrected it (its words, or once embedded, its meaning), else what the judge decides."""
        corrected = self._corrected(r, self.corrections.match_text(r.question) if self.corrections else None)
        if corrected is not None:
            return corrected
        judgement = self.judge.judge(r, self.searcher, self.corpus, self.search_filters(r))
        if self.corrections is not None and judgement.result is not None:
            corrected = self._corrected(r, self.corrections.match_vector(judgement.result.vector))
            if corrected is not None:
                return corrected
        decision = decide_coverage(r, judgement, self.judge.model.of(judgement))
        keywords = "" if judgement.embedded else ", mots-clés seuls"
        r.notes.append(f"couverture : {decision.coverage} ({decision.reason}{keywords})")
        return judgement, decision

    def _corrected(self, r: Reading, m: Match | None) -> tuple[Judgement, CoverageDecision] | None:
        """The decision a staff correction makes (None: no correction applies, or it names nothing
        of the plans being served)."""
        if m is None or r.followup is not None:
            return None
        c = m.correction
        judged = [Judged(hit, {}, 1.0) for ref in c.refs if (hit := self.searcher.hit_of(ref)) is not None]
        if c.refs and not judged:
            return None
        when = c.created.date().isoformat()
        r.notes.append(f"réponse fixée par le personnel ({m.how}, {when}, {c.author})")
        coverage: Coverage = "complete" if judged else "none"
        decision = CoverageDecision(coverage, f"correction du personnel du {when}", judged, [], correction=m)
        return Judgement(None, judged, {}, 1.0 if judged else 0.0), decision  # type: ignore[arg-type]

    def hors_kind(self, r: Reading, decision: CoverageDecision) -> str:
        """What kind of question the plans do not address this one is (a service of the City, health
        and safety…): the judgement's guess when it is clear, else the question's meaning (it is
        embedded for this: pointing a person in distress to the right resource is worth 40 ms)."""
        if decision.kind_p >= KIND_SURE or self.searcher.bank is None:
            return decision.kind
        vector = self.searcher.question_vector(r.search_query, r.analysis)
        scores = self.searcher.bank_scores(r.analysis, vector)
        return scores.hors_kind()[0] if scores is not None else decision.kind

    def candidates(
        self, r: Reading, embed: bool = True, bank: BankIndex | None = None, use_bank: bool = True
    ) -> Judgement:
        """The candidates this question's judgement weighs, with their signals (for training)."""
        return self.judge.candidates(
            r, self.searcher, self.corpus, self.search_filters(r), embed, bank, use_bank
        )

    def node(self, plan_id: str, node_id: str) -> tuple[Plan, Node]:
        plan = self.corpus.plan(plan_id)
        return plan, plan.node(node_id)


Handler = Callable[[Reading, AnswerContext, Composer], Coverage]
#: A kind of « hors plan » question guessed from the words alone with this probability or more is
#: taken as it is; below, the question's meaning decides.
KIND_SURE = 0.8
