"""The answering pipeline (:mod:`assistant.pipeline.pipeline`): receive → read → route → retrieve →
judge → cover → compose → record, one component per module, one Protocol per role
(:mod:`assistant.pipeline.roles`)."""

from assistant.pipeline.pipeline import ORDER, Pipeline
from assistant.pipeline.state import Question, Request, Run

__all__ = ["ORDER", "Pipeline", "Question", "Request", "Run"]
