"""The assistant: the answering pipeline (:mod:`assistant.pipeline`) reads a question once
(:mod:`assistant.reading`) and answers it with the handler of its intent (:mod:`assistant.intents`):
exactly from the structured plans when it names what it is about, by retrieval judged for relevance
otherwise; and says what the plans do not say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answer import Answer, Filters, Turn
from assistant.compose import Composer
from assistant.corrections import Corrections
from assistant.intents import AnswerContext
from assistant.llm import LLM
from assistant.organisation import Organisation
from assistant.pipeline import Pipeline, Request
from assistant.pipeline.compose import AnswerWriter
from assistant.reading import Reading
from assistant.relevance import RelevanceJudge, RelevanceModel
from corpus import Corpus
from corpus.settings import CorpusSettings
from index.service import IndexService, Snapshot


class Assistant:
    """The assistant as its callers hold it: the answering pipeline (:class:`assistant.pipeline.Pipeline`,
    its standard components) over one index, with the organisation that publishes the plans."""

    def __init__(
        self,
        index: IndexService,
        max_question_length: int = 1000,
        llm: LLM | None = None,
        max_history_turns: int = 10,
        cache_size: int = 1024,
        relevance: RelevanceModel | None = None,
        organisation: Organisation | None = None,
    ):
        self.index = index
        #: Who publishes the plans, its channels (organisation.yaml beside the plans; by default the
        #: index's corpus folder, else the configured one).
        self.organisation = organisation or Organisation.load(
            index.corpus_dir if index.corpus_dir is not None else Path(CorpusSettings().corpus_dir)
        )
        self.max_question_length = max_question_length
        self.max_history_turns = max_history_turns
        self.judge = RelevanceJudge(relevance or RelevanceModel.load())
        self._writer = AnswerWriter(self.organisation, llm)
        self.pipeline = Pipeline.standard(
            index,
            self.judge,
            self._writer,
            max_question_length=max_question_length,
            max_history_turns=max_history_turns,
            cache_size=cache_size,
        )

    @property
    def llm(self) -> LLM | None:
        return self._writer.llm

    @llm.setter
    def llm(self, llm: LLM | None) -> None:
        self._writer.llm = llm

    @property
    def corrections(self) -> Corrections | None:
        """Staff corrections, when the question log is on (set by the composition root)."""
        return self.pipeline.corrections

    @corrections.setter
    def corrections(self, corrections: Corrections | None) -> None:
        self.pipeline.corrections = corrections

    @property
    def corpus(self) -> Corpus:
        """The corpus of the index being served."""
        return self.index.corpus

    def ask(
        self,
        question: str,
        history: list[Turn] | list[dict[str, Any]] | None = None,
        filters: Filters | dict[str, Any] | None = None,
    ) -> Answer:
        """The answer to a question (:meth:`Pipeline.run`; from the cache when the same question,
        with the same previous turns and filters, was answered from the same build before)."""
        return self.pipeline.run(Request.of(question, history, filters))

    def clear_caches(self) -> None:
        """Forget cached answers and query embeddings (the index clears them on a new build)."""
        self.pipeline.cache.clear()
        self.index.embedder.clear_cache()

    def read(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        snap: Snapshot | None = None,
    ) -> tuple[Reading | None, AnswerContext]:
        """The question read as the pipeline reads it, and what its handler works with (None: a
        question addressed to the assistant's instructions, refused). The evaluations train and
        measure on this very path."""
        snap = snap or self.index.snapshot()
        reader = self.pipeline.reader
        q = reader.receive(Request.of(question, history, filters), snap)
        return reader.read(q), self.pipeline.context(q)

    def welcome(self, lang: str) -> tuple[str, list[str]]:
        """The widget's welcome in ``lang`` (the plans it answers about) and questions to try."""
        c = Composer(lang, self.organisation)
        return c.about("welcome", list(self.corpus)), self.organisation.examples(c.lang)
