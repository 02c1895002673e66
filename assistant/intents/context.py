"""What an intent handler works with for one question: the snapshot's corpus and searcher, the
relevance judge, the caller's filters, and the subject's judgement and coverage when the pipeline
made them. A handler writes into a :class:`~assistant.compose.Composer`
and returns the answer's coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Filters
from assistant.compose import Composer
from assistant.corrections import Corrections
from assistant.coverage import Coverage, CoverageDecision
from assistant.reading import Reading
from assistant.relevance import Judgement, RelevanceJudge
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
    #: The subject's judgement and coverage, when the route asked for them (judge, cover).
    judgement: Judgement | None = None
    decision: CoverageDecision | None = None

    def search_filters(self, r: Reading) -> dict[str, str | None]:
        plan = self.filters.plan
        if plan is None and r.followup is not None and not r.named and len(r.followup.plans) == 1:
            plan = r.followup.plans[0]  # a follow-up stays in the plan of the previous answer
        return {"plan": plan, "unit": self.filters.unit, "horizon": self.filters.horizon}

    def judge_question(self, r: Reading) -> tuple[Judgement, CoverageDecision]:
        """The question's candidates judged and the coverage decided, by the pipeline's judge and
        cover components before the handler writes (:mod:`assistant.pipeline`)."""
        if self.judgement is None or self.decision is None:
            raise RuntimeError(
                f"intention {r.intent.value!r} : le sujet n'a pas été jugé avant la rédaction "
                "(assistant.pipeline.route : la route doit demander le jugement)"
            )
        return self.judgement, self.decision

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
