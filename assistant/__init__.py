"""plan-assistant: grounded French answers about municipal action plans.

``import assistant; assistant.ask("Qui s'occupe de l'action 37?")`` returns an
:class:`~assistant.answer.Answer` whose JSON form is the API's answer contract.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer import Answer
    from assistant.application import Application

_default: Application | None = None
_lock = threading.Lock()


def default_application() -> Application:
    """The application of the settings in the environment (``PLAN_ASSISTANT_…``), sharing the index
    of :func:`index.search`; built on first use and kept for the process."""
    global _default
    with _lock:
        if _default is None:
            import index
            from assistant.application import build_application
            from assistant.settings import AssistantSettings

            _default = build_application(AssistantSettings(), index=index.default_service())
        return _default


def ask(question: str, history: list[Any] | None = None, filters: dict[str, Any] | None = None) -> Answer:
    """Answer a question from the plans (the index is built on first use when missing)."""
    return default_application().assistant.ask(question, history=history, filters=filters)


__all__ = ["ask", "default_application"]
