"""Reading a question for the search: its analysed words, typo corrections against the corpus's
vocabulary, the plans' words for the everyday words it uses (lexicon), the numbers and plans it
names. Built from the indexed documents and the lexicon only (no vectors), so the question can be
read once, by whoever reads it first, and the analysis handed to the search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from corpus.lru import LRUCache
from corpus.references import numbers_in
from corpus.text import fold, mentions, most_specific
from index.analysis import Accents, analyze
from index.bm25 import BM25
from index.documents import IndexDocument
from index.lexicon import Lexicon


@dataclass(frozen=True)
class QueryAnalysis:
    words: list[str]  # analysed words (stems, accents folded), stop words out
    corrections: dict[str, str]  # typed word → the corpus word it was taken for
    expansions: list[str]  # the plans' words added by the lexicon
    concepts: list[str]  # lexicon concepts recognised
    plan_terms: list[str]  # the plans' words for the concepts found (for the dense query)
    references: list[str]  # printed numbers named (« 37 », « 2.1.4 »)
    named_plans: list[str]  # the plan(s) named most specifically
    all_named: list[str] = field(default_factory=list)  # every plan the question names
    unknown: list[str] = field(default_factory=list)  # words known neither to the plans nor to the lexicon
    #: For each concept recognised, the question's words that named it (analysed).
    concept_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


def keyword_tokens(
    docs: Sequence[IndexDocument], lexicon: Lexicon
) -> tuple[list[list[str]], list[list[str]]]:
    """The words BM25 reads in each document: the full text with the everyday words of the concepts
    it speaks of in the plans' words (the lexicon on the document side), and the node's own words."""
    core = [analyze(d.dense_text, accents=lexicon.accents) for d in docs]
    full = [
        analyze(d.text, accents=lexicon.accents) + lexicon.document_expansion(c)
        for d, c in zip(docs, core, strict=True)
    ]
    return full, core


class QueryAnalyser:
    """Analyses questions against one corpus's vocabulary (a BM25 index of its documents) and the
    lexicon. Analyses are cached (LRU): a question is read once."""

    def __init__(
        self,
        vocabulary: BM25,
        lexicon: Lexicon,
        plan_aliases: Mapping[str, Sequence[str]] | None = None,
        dense_terms: int = 2,
        cache_size: int = 4096,
    ):
        self.vocabulary = vocabulary
        self.lexicon = lexicon
        self.aliases = {pid: list(names) for pid, names in (plan_aliases or {}).items()}
        self.dense_terms = dense_terms
        self._cache: LRUCache[str, QueryAnalysis] = LRUCache(cache_size)

    @classmethod
    def for_documents(
        cls,
        docs: Sequence[IndexDocument],
        lexicon: Lexicon,
        plan_aliases: Mapping[str, Sequence[str]] | None = None,
        dense_terms: int = 2,
    ) -> QueryAnalyser:
        """An analyser without a vector store (the search builds its own from the same words)."""
        lexicon = lexicon.for_texts(d.text for d in docs)
        return cls(BM25(keyword_tokens(docs, lexicon)[0]), lexicon, plan_aliases, dense_terms)

    @property
    def accents(self) -> Accents:
        """How words typed without their accents are read (learned from the lexicon and the documents)."""
        return self.lexicon.accents

    def knows(self, token: str) -> bool:
        """An analysed word is in the plans or in the lexicon."""
        return token in self.vocabulary.df or token in self.lexicon.vocabulary

    def analyse(self, query: str, remember: bool = True) -> QueryAnalysis:
        """The question analysed (from the cache when it was before; ``remember=False``: not kept,
        for texts read once, such as the bank's questions)."""
        qa = self._cache.get(query)
        if qa is None:
            qa = self._analyse(query)
            if remember:
                self._cache.put(query, qa)
        return qa

    def _analyse(self, query: str) -> QueryAnalysis:
        accents = self.lexicon.accents
        words = analyze(query, accents=accents)
        full = analyze(query, keep_stopwords=True, accents=accents)
        corrections: dict[str, str] = {}
        unknown: list[str] = []
        for w in dict.fromkeys(words):
            if not self.knows(w):
                fixed = self.vocabulary.correct(w, self.lexicon.vocabulary)
                if fixed:
                    corrections[w] = fixed
                elif not w.isdigit():
                    unknown.append(w)
        full_fixed = [corrections.get(w, w) for w in full]
        matches = self.lexicon.match(full_fixed)
        expansions = self.lexicon.expand(full_fixed, matches)
        q = fold(query)
        terms = list(dict.fromkeys(t for m in matches for t in m.concept.plan_terms[: self.dense_terms]))
        return QueryAnalysis(
            words=words,
            corrections=corrections,
            expansions=expansions,
            concepts=[m.concept.id for m in matches],
            plan_terms=terms,
            references=numbers_in(q),
            named_plans=self.named_plans(q),
            all_named=self.all_named(q),
            unknown=unknown,
            concept_words={m.concept.id: tuple(analyze(m.trigger, accents=accents)) for m in matches},
        )

    def all_named(self, folded_query: str) -> list[str]:
        return list(mentions(folded_query, self.aliases))

    def named_plans(self, folded_query: str) -> list[str]:
        """Plans the question names. When several are named (« le conseil de quartier parle-tu à
        la Ville »), the one named by the longest, most specific alias wins."""
        return most_specific(mentions(folded_query, self.aliases))
