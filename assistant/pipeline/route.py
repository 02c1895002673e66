"""Route: which handler answers the reading (:data:`assistant.intents.HANDLERS`, one per intent),
and whether its subject is to be searched and judged first (a topical question; « qui s'occupe de
la sécurité alimentaire? », which names no action). A question addressed to the assistant's own
instructions is routed to the refusal."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.intents import HANDLERS, Handler
from assistant.reading import Intent, Reading

#: Intents whose handler answers about the subject's relevant actions when the question names none.
SUBJECT_INTENTS = frozenset({Intent.UNITS, Intent.HORIZON})


@dataclass(frozen=True)
class Route:
    intent: Intent | None  # None: refused (instructions to the assistant)
    handler: Handler | None
    #: The subject is searched, judged and its coverage decided before the handler writes.
    judged: bool = False

    @property
    def name(self) -> str:
        return self.intent.value if self.intent is not None else "consigne"


REFUSED = Route(None, None)


class IntentRouter:
    """The handler of the reading's intent."""

    def route(self, reading: Reading | None) -> Route:
        if reading is None:
            return REFUSED
        judged = reading.intent == Intent.TOPIC or (reading.intent in SUBJECT_INTENTS and not reading.targets)
        return Route(reading.intent, HANDLERS[reading.intent], judged)
