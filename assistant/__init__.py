"""plan-assistant: grounded French answers about municipal action plans.

``import assistant; assistant.ask("Qui s'occupe de l'action 37?")`` returns an
:class:`~assistant.answer.Answer` whose JSON form is the API's answer contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answer import Answer


def ask(question: str, history: list[Any] | None = None, filters: dict[str, Any] | None = None) -> Answer:
    """Answer a question from the plans (the index is built on first use when missing)."""
    from assistant.service import default_assistant

    return default_assistant().ask(question, history=history, filters=filters)


__all__ = ["ask"]
