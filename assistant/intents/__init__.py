"""One handler per intent, each a small function ``(reading, context, composer) → coverage`` in a
module named for what it answers:

- :mod:`~assistant.intents.lookups`: an action named by number, its units, its timeline;
- :mod:`~assistant.intents.lists`: complete lists, counts, the previous answer narrowed;
- :mod:`~assistant.intents.structure`: the plans' parts and their own definitions;
- :mod:`~assistant.intents.topic`: topical questions, judged for relevance;
- :mod:`~assistant.intents.declines`: questions the plans do not answer.
"""

from __future__ import annotations

from assistant.intents import declines, lists, lookups, structure, topic
from assistant.intents.context import AnswerContext, Handler
from assistant.reading import Intent

HANDLERS: dict[Intent, Handler] = {
    Intent.ACTION: lookups.action,
    Intent.UNITS: lookups.units,
    Intent.HORIZON: lookups.horizon,
    Intent.REVERSE: lists.reverse,
    Intent.FILTER: lists.narrow,
    Intent.COUNT: lists.count,
    Intent.STRUCTURE: structure.structure,
    Intent.DEFINITION: lambda r, ctx, c: structure.definition(r, ctx, c),
    Intent.TOPIC: topic.topic,
    Intent.MISSING: declines.missing,
    Intent.OFF_TOPIC: declines.off_topic,
}

__all__ = ["HANDLERS", "AnswerContext", "Handler"]
