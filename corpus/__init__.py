"""The plans as data: manifests, parsers and the structured model they produce."""

from corpus.loader import Corpus, load_corpus, validate
from corpus.model import Action, Axe, Kind, Node, Objectif, Orientation, Plan, UnitsScope
from corpus.problems import CorpusError, Problem

__all__ = [
    "Action",
    "Axe",
    "Corpus",
    "CorpusError",
    "Kind",
    "Node",
    "Objectif",
    "Orientation",
    "Plan",
    "Problem",
    "UnitsScope",
    "load_corpus",
    "validate",
]
