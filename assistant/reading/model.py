"""What the reading of a question holds: made once per question (:func:`~assistant.reading.read_question`),
frozen, then read by every component of the answering pipeline (:mod:`assistant.pipeline`): the
router, the search, the relevance judge, the coverage, the intent handlers and the composer. Nothing
after reading rewrites it: what a component learns goes into the run (:class:`assistant.pipeline.Run`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant.answer import Turn
from assistant.reading.facts import Fact
from assistant.scope import OutTopic
from corpus.model import Node, Plan
from index.query import QueryAnalysis

NodeRef = tuple[Plan, Node]


class Intent(StrEnum):
    ACTION = "action"  # show one or more nodes named by number (or by title)
    UNITS = "units"  # who is concerned
    HORIZON = "horizon"  # when
    REVERSE = "reverse"  # every action meeting constraints (unit, timeline, part of a plan, principle)
    FILTER = "filter"  # the previous answer's actions, narrowed (« Lesquelles sont en cours? »)
    COUNT = "count"
    STRUCTURE = "structure"  # the orientations, axes, themes, roles, units of a plan
    DEFINITION = "definition"
    TOPIC = "topic"  # what the plans do about a subject: retrieval, judged for relevance
    MISSING = "missing"  # a number that does not exist in the plans
    OFF_TOPIC = "off_topic"  # not a question about the plans: gibberish, greetings, who an official is


class FollowUpKind(StrEnum):
    UNITS = "units"  # « Et qui s'en occupe? »: the units of the previous answer's actions
    WHEN = "when"  # « C'est pour quand? »
    FILTER = "filter"  # « Lesquelles sont à moyen terme? »
    FACT = "fact"  # « Combien ça coûte? »: a fact the plans do not give, about the previous actions
    FOCUS = "focus"  # « Et pour les familles? »: the previous subject, a new focus
    SAME = "same"  # « Pis? »: the previous subject again


@dataclass
class FollowUp:
    kind: FollowUpKind
    previous: Turn
    primary: list[NodeRef]  # what the previous answer put forward
    related: list[NodeRef]  # what it showed as related (« Voir aussi »)
    plans: list[str]  # the plans the previous answer cited

    @property
    def cited(self) -> list[NodeRef]:
        return [*self.primary, *[r for r in self.related if r not in self.primary]]


@dataclass
class Premises:
    """What a question asserts, to be checked against the plans before anything else is said."""

    amount: bool = False  # « le plan met 50 M$ … »
    years: list[str] = field(default_factory=list)  # « … sera fini en 2026 »
    cancelled: bool = False  # « … a été annulée »

    def __bool__(self) -> bool:
        return self.amount or bool(self.years) or self.cancelled


@dataclass(frozen=True)
class Reading:
    question: str  # as read (instructions to the assistant removed)
    folded: str
    lang: str
    analysis: QueryAnalysis  # the search's reading of the same words (read once)
    intent: Intent = Intent.TOPIC
    # What the question names in the plans.
    targets: list[NodeRef] = field(default_factory=list)  # nodes named by number
    missing: list[str] = field(default_factory=list)  # numbers and names that do not exist
    units: list[str] = field(default_factory=list)
    horizons: list[str] = field(default_factory=list)
    structure: list[NodeRef] = field(default_factory=list)  # orientation/axe/objective/theme named
    principles: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # the plan it is about (named most specifically)
    named: list[str] = field(default_factory=list)  # every plan it names
    notion: NodeRef | None = None  # a notion a plan defines (« désert alimentaire »)
    definition: str | None = None  # echeance-ct, principe:…, roles, role:…
    count_of: str | None = None
    list_of: str | None = None
    topic_objective: bool = False  # « les actions de l'objectif sur le logement »
    # What is asked and how.
    subject: list[str] = field(default_factory=list)  # content words, cues and names taken out
    #: The subject's words that single out some of the plans' nodes (known to the plans, in at most a
    #: quarter of their documents): « concertations », not « plan ».
    specific: list[str] = field(default_factory=list)
    yes_no: bool = False
    fact: Fact | None = None  # a fact the plans do not give
    facility: str | None = None  # a facility or project named that the plans do not mention
    out_topic: OutTopic | None = None  # a municipal service the plans do not cover (out_of_scope.yaml)
    premises: Premises = field(default_factory=Premises)
    asks_who: bool = False
    asks_when: bool = False
    asks_list: bool = False
    asks_definition: bool = False
    # Not about the plans.
    gibberish: bool = False
    greeting: bool = False
    distress: bool = False
    person_identity: bool = False
    private: bool = False  # asks for personal information about someone
    # Conversation.
    followup: FollowUp | None = None
    search_query: str = ""
    #: What reading noticed (the intent's rule, a follow-up), for the answer's notes.
    notes: tuple[str, ...] = ()

    @property
    def constraints(self) -> bool:
        """Constraints that select actions exactly (a list question)."""
        return bool(
            self.units
            or self.structure
            or self.principles
            or self.topic_objective
            or (self.horizons and self.asks_list)
        )
