"""What an intent handler works with for one question: the snapshot's corpus and searcher, the
relevance judge, the caller's filters. A handler writes into a :class:`~assistant.compose.Composer`
and returns the answer's coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer import Filters
from assistant.compose import Composer
from assistant.coverage import Coverage, CoverageDecision, decide_coverage
from assistant.reading import Reading
from assistant.relevance import Judgement, RelevanceJudge
from corpus import Corpus
from corpus.model import Node, Plan
from index.hybrid import HybridSearcher


@dataclass
class AnswerContext:
    corpus: Corpus
    searcher: HybridSearcher
    judge: RelevanceJudge
    filters: Filters

    def search_filters(self, r: Reading) -> dict[str, str | None]:
        plan = self.filters.plan
        if plan is None and r.followup is not None and not r.named and len(r.followup.plans) == 1:
            plan = r.followup.plans[0]  # a follow-up stays in the plan of the previous answer
        return {"plan": plan, "unit": self.filters.unit, "horizon": self.filters.horizon}

    def judge_question(self, r: Reading) -> tuple[Judgement, CoverageDecision]:
        judgement = self.judge.judge(r, self.searcher, self.corpus, self.search_filters(r))
        decision = decide_coverage(r, judgement, self.judge.model)
        keywords = "" if judgement.embedded else ", mots-clés seuls"
        r.notes.append(f"couverture : {decision.coverage} ({decision.reason}{keywords})")
        return judgement, decision

    def node(self, plan_id: str, node_id: str) -> tuple[Plan, Node]:
        plan = self.corpus.plan(plan_id)
        return plan, plan.node(node_id)


Handler = Callable[[Reading, AnswerContext, Composer], Coverage]
