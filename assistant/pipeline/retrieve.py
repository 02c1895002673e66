"""Retrieve: the question's candidates from the hybrid search (:mod:`index.hybrid`), in the ways
the judge asks for them (with the question's meaning or its keywords alone; with the question bank
or as if there were none), each search made once and only when first asked: a question the
keywords settle is never embedded."""

from __future__ import annotations

from assistant.intents.context import AnswerContext
from assistant.reading import Reading
from assistant.relevance import Candidates
from index.query import QueryAnalysis


class Retrieval:
    """One question's searches, by way of searching ``(embed, use_bank)``; a search with the
    question's plan filter (``plan``) or another plan's (:meth:`in_plan`)."""

    def __init__(
        self,
        reading: Reading,
        context: AnswerContext,
        filters: dict[str, str | None],
        analysis: QueryAnalysis | None = None,
    ):
        self.reading = reading
        self.context = context
        self.filters = filters
        # What is searched, analysed once for every way of searching (a follow-up searches with the
        # previous question's words).
        q = reading.search_query
        if analysis is None:
            analysis = reading.analysis if q == reading.question else context.searcher.analyse(q)
        self.analysis = analysis
        self._found: dict[tuple[bool, bool], Candidates] = {}

    def __call__(self, embed: bool, use_bank: bool) -> Candidates:
        found = self._found.get((embed, use_bank))
        if found is None:
            ctx = self.context
            found = ctx.judge.retrieve(
                self.reading,
                ctx.searcher,
                ctx.corpus,
                self.filters,
                embed=embed,
                use_bank=use_bank,
                analysis=self.analysis,
            )
            self._found[(embed, use_bank)] = found
        return found

    @property
    def searches(self) -> list[tuple[bool, bool]]:
        """The ways of searching made so far, in order."""
        return list(self._found)

    def in_plan(self, plan_id: str) -> Retrieval:
        """The same question searched in one plan only (a question that names several plans)."""
        return Retrieval(self.reading, self.context, {**self.filters, "plan": plan_id}, self.analysis)


class HybridRetriever:
    """The question's retrieval, with the caller's filters (a follow-up stays in the previous
    answer's plan)."""

    def retrieve(self, reading: Reading, context: AnswerContext) -> Retrieval:
        return Retrieval(reading, context, context.search_filters(reading))
