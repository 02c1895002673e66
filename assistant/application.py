"""The one composition root: the application built from one settings object. The web service
(:func:`api.app.create_app`), the command line and :func:`assistant.ask` all use it."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.llm import LLM, llm_from_settings
from assistant.organisation import Organisation
from assistant.relevance import RelevanceModel
from assistant.service import Assistant
from assistant.settings import AssistantSettings
from index.builder import Progress
from index.service import IndexService


@dataclass
class Application:
    settings: AssistantSettings
    index: IndexService  # the corpus and its index, published together (one snapshot per build)
    assistant: Assistant
    llm: LLM | None


def build_application(
    settings: AssistantSettings,
    index: IndexService | None = None,
    ensure: bool = True,
    progress: Progress | None = None,
    relevance: RelevanceModel | None = None,
) -> Application:
    """Corpus, embedding model, vector store, index, searcher, assistant and the optional LLM, from
    ``settings``. ``ensure``: load the index now (building it when missing); ``index``: an index
    service already built from the same settings, to share."""
    service = index or IndexService.from_settings(settings)
    if ensure:
        service.ensure(rebuild=True, progress=progress)
    llm = llm_from_settings(settings)
    return Application(
        settings,
        service,
        Assistant(
            service,
            max_question_length=settings.max_question_length,
            max_history_turns=settings.max_history_turns,
            llm=llm,
            cache_size=settings.question_cache_size,
            relevance=relevance,
            organisation=Organisation.load(settings.corpus_dir),
        ),
        llm,
    )
