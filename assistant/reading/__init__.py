"""Reading a question, once, for everything that answers it: what it names in the plans
(references, plans, units, timelines), what it asks (intent, the fact asked, yes or no), what it
asserts (premises), and how it continues a conversation.

- :mod:`assistant.reading.cues`: the general cues of questions (who, when, which, how much…);
- :mod:`assistant.reading.references`: the plans' nodes, units, timelines and notions named;
- :mod:`assistant.reading.facts`: facts the plans do not give, premises, off-topic questions;
- :mod:`assistant.reading.followup`: follow-up questions;
- :mod:`assistant.reading.intent`: the intent, by a table of named rules;
- :mod:`assistant.reading.read`: :func:`read_question`, which puts them together.
"""

from assistant.reading.facts import Fact
from assistant.reading.model import FollowUp, FollowUpKind, Intent, NodeRef, Premises, Reading
from assistant.reading.read import ReadingContext, read_question

__all__ = [
    "Fact",
    "FollowUp",
    "FollowUpKind",
    "Intent",
    "NodeRef",
    "Premises",
    "Reading",
    "ReadingContext",
    "read_question",
]
