"""Lexicons as plan data (issue 21): each plan's lexicon.yaml beside its text (its own wording as
plan_terms, everyday words in French and in English), the general file of the index, merged by
concept id; checked by ``corpus validate`` at their lines; the index's fingerprint follows them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from corpus import Corpus, load_corpus, validate
from corpus.lexicon import LEXICON_NAME, ORDER_NAME, ConceptEntry, merge, occurs, plan_text
from index.analysis import analyze
from index.builder import build_index
from index.lexicon import GENERAL_FILE, Lexicon, corpus_lexicon, default_lexicon, fingerprint
from index.location import LocalLocation
from index.service import IndexService

from .conftest import CITY, SS
from .fakes import HashingEmbeddings

runner = CliRunner()


def entry(corpus: Corpus, plan: str, cid: str) -> ConceptEntry:
    return next(e for e in corpus.lexicon.plans[plan] if e.id == cid)


def concepts(lexicon: Lexicon, question: str) -> list[str]:
    return [
        m.concept.id for m in lexicon.match(analyze(question, keep_stopwords=True, accents=lexicon.accents))
    ]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if text in line)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def validate_output(path: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["corpus", "validate", str(path)])
    return result.exit_code, [line for line in result.output.splitlines() if line.strip()]


# ------------------------------------------------------------------ the shipped lexicons


def test_each_shipped_plan_has_its_lexicon_in_its_own_words(corpus: Corpus) -> None:
    lexicons = corpus.lexicon.plans
    assert set(lexicons) == {CITY, SS}
    assert [len(lexicons[CITY]), len(lexicons[SS])] == [85, 51]
    for plan in corpus:
        text = plan_text((Path("corpus/plans") / plan.id / plan.meta.source).read_text(encoding="utf-8"))
        assert all(occurs(t, text) for e in lexicons[plan.id] for t in e.plan_terms), plan.id
    city, ss = ({e.id for e in lexicons[p]} for p in (CITY, SS))
    assert "equimobilite" in city - ss and "patinoire_couverte" in ss - city and len(city & ss) == 46
    # A concept both plans speak of: each file has its own plan's terms, both the same triggers.
    c, s = entry(corpus, CITY, "logement"), entry(corpus, SS, "logement")
    assert "Vision en habitation" in c.plan_terms and "Vision en habitation" not in s.plan_terms
    assert "accessibilité au logement" in s.plan_terms and "accessibilité au logement" not in c.plan_terms
    assert (c.triggers, c.triggers_en) == (s.triggers, s.triggers_en)


def test_the_merged_lexicon_keeps_each_concept_whole(corpus: Corpus) -> None:
    lx = corpus_lexicon(corpus)
    assert len(lx.concepts) == 90 and lx is corpus_lexicon(corpus)  # made once per content
    immigration = next(c for c in lx.concepts if c.id == "immigration")
    # The order lexicon-order.yaml gives (the Saint-Sacrement plan's « communautés culturelles » among
    # the City's): the first plan terms go into the dense search.
    assert immigration.plan_terms[3:6] == ("interculturelles", "communautés culturelles", "accueillir")
    assert "newcomer" in immigration.triggers_en and "newcomer" not in immigration.triggers
    assert default_lexicon().fingerprint == lx.fingerprint == fingerprint(corpus)


def test_english_words_are_english_triggers_and_read_like_french_ones() -> None:
    lx = default_lexicon()
    by_id = {c.id: c for c in lx.concepts}
    for cid, word in [
        ("immigration", "newcomer"),
        ("adolescents_jeunes", "teenager"),
        ("benevolat", "volunteer"),
        ("langage_clair", "english"),
    ]:
        assert word in by_id[cid].triggers_en and word not in by_id[cid].triggers
    # Anglicisms of the French spoken here stay French.
    assert "pride" in by_id["lgbtq"].triggers and "cheap" in by_id["accessibilite_financiere"].triggers
    assert concepts(lx, "I'm a newcomer looking for housing") == ["immigration", "logement"]
    assert concepts(lx, "chu nouvel arrivant pis je cherche un appart") == ["immigration", "logement"]


def test_the_general_file_names_no_city_or_plan(corpus: Corpus) -> None:
    data = yaml.safe_load(GENERAL_FILE.read_text(encoding="utf-8"))
    description = data["description"].casefold()
    names = ["québec", "saint-sacrement", *(p.id for p in corpus), *(p.meta.organisation for p in corpus)]
    assert [n for n in names if n.casefold() in description] == []
    assert {"triggers_en", "plan_terms", "lexicon-order.yaml"} <= set(description.replace(",", " ").split())


# ------------------------------------------------------------------ merging


def test_concepts_are_merged_by_id_in_the_plans_order() -> None:
    first = [
        ConceptEntry("x", ("a1", "a2"), ("t1",)),
        ConceptEntry("y", ("a3",), ("t2",), ("e2",)),
        ConceptEntry("z", ("a4",), ("t5",)),
    ]
    second = [
        ConceptEntry("x", ("b1", "a1"), ("t1", "t3"), ("e1",)),
        ConceptEntry("w", ("b2",), ("t4",)),
        ConceptEntry("z", ("b3",), ("t5",)),
    ]
    merged = merge([first, second])
    # A concept only the second has comes right after the one it follows there.
    assert [e.id for e in merged] == ["x", "w", "y", "z"]
    x = merged[0]
    assert (x.plan_terms, x.triggers, x.triggers_en) == (("a1", "a2", "b1"), ("t1", "t3"), ("e1",))
    # The corpus's order of a shared concept's terms comes first; terms it does not name after.
    ordered = merge([first, second], {"x": ["b1", "a1", "nowhere"]})
    assert ordered[0].plan_terms == ("b1", "a1", "a2")


def test_english_triggers_are_matched_but_teach_no_accents(tmp_path: Path) -> None:
    f = tmp_path / "lex.yaml"
    f.write_text(
        "concepts:\n  - id: c\n    plan_terms: [sécurité]\n    triggers: [insécurité]\n"
        "    triggers_en: [safety, not safe]\n",
        encoding="utf-8",
    )
    lx = Lexicon.load(f)
    assert concepts(lx, "is it safe at night") == []  # « safe » alone is not a trigger
    assert concepts(lx, "not safe at night") == ["c"] and concepts(lx, "road safety") == ["c"]
    assert concepts(lx, "insecurite") == ["c"]  # accents learned from the French words


def test_a_plan_without_a_lexicon_is_fine(corpus_copy: Path) -> None:
    (corpus_copy / SS / LEXICON_NAME).unlink()
    (corpus_copy / ORDER_NAME).unlink()
    code, out = validate_output(corpus_copy)
    assert code == 0, out
    assert out[-1] == f"✓ lexique : 85 concepts (85 sur {CITY}; 0 partagés); sans lexique : {SS}"
    lx = corpus_lexicon(load_corpus(corpus_copy))
    assert len(lx.concepts) == 85 and concepts(lx, "une patinoire couverte") == []


# ------------------------------------------------------------------ validation


def test_a_plan_term_the_plan_does_not_write_is_to_review_at_its_line(corpus_copy: Path) -> None:
    """A term the text does not write (the lexicon's typo, or the text edited since) is reported by
    `corpus validate` at its line; the corpus still loads and serves."""
    lexicon = corpus_copy / SS / LEXICON_NAME
    replace_in(lexicon, "plan_terms: [patinoire couverte", "plan_terms: [patinoire chauffée")
    code, out = validate_output(corpus_copy)
    line = line_of(lexicon, "patinoire chauffée")
    assert code == 0, out
    assert out[-1] == (
        f"attention : {lexicon}:{line}: concept « patinoire_couverte » : plan_terms : « patinoire chauffée » "
        "ne figure pas dans le texte du plan"
    )
    assert "patinoire chauffée" in entry(load_corpus(corpus_copy), SS, "patinoire_couverte").plan_terms


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - id: patinoire_couverte\n    plan_terms:",
            "  - id: patinoire_couverte\n    plan_term:",
            "concept « patinoire_couverte » : champs inconnus ['plan_term'] "
            "(attendu id, plan_terms, triggers, triggers_en)",
        ),
        ("  - id: patinoire_couverte", "  - id: Patinoire couverte", "id : « Patinoire couverte » :"),
        (
            "    triggers: [patinoire,",
            "    triggers: [311, patinoire,",
            "concept « patinoire_couverte » : triggers[0] : « 311 », attendu un mot ou une expression (un nombre "
            'entre guillemets : "311")',
        ),
        ("    triggers: [patinoire,", "    triggers: [[patinoire,", "YAML invalide"),
    ],
)
def test_a_malformed_lexicon_is_reported_at_its_line(
    corpus_copy: Path, old: str, new: str, message: str
) -> None:
    lexicon = corpus_copy / SS / LEXICON_NAME
    replace_in(lexicon, old, new)
    problems = [str(p) for p in validate(corpus_copy) if p.path == str(lexicon)]
    found = [p for p in problems if message in p]
    assert len(found) == 1, problems
    line = int(found[0].split(":")[1])
    if "YAML" not in message:
        assert new.split("\n")[-1].strip()[:12] in lexicon.read_text(encoding="utf-8").split("\n")[line - 1]


def test_the_order_of_shared_terms_names_terms_of_the_plans(corpus_copy: Path) -> None:
    order = corpus_copy / ORDER_NAME
    replace_in(order, "communautés culturelles", "communautés culturels")
    assert validate(corpus_copy) == []
    corpus = load_corpus(corpus_copy)
    line = line_of(order, "communautés culturels")
    assert [str(w) for w in corpus.lexicon.warnings] == [
        f"{order}:{line}: concept « immigration » : « communautés culturels » n'est un plan_term de ce "
        "concept dans aucun plan"
    ]
    # Left out of the order: the term it meant comes after the ones it names.
    immigration = next(c for c in corpus_lexicon(corpus).concepts if c.id == "immigration")
    assert immigration.plan_terms[-1] == "communautés culturelles"


@pytest.mark.parametrize("command", [["index"], ["ask", "un appart pas cher"]])
def test_a_bad_lexicon_stops_the_commands_with_its_line_not_a_traceback(
    corpus_copy: Path, tmp_path: Path, command: list[str]
) -> None:
    lexicon = corpus_copy / SS / LEXICON_NAME
    replace_in(
        lexicon, "  - id: patinoire_couverte\n    plan_terms:", "  - id: patinoire_couverte\n    terms:"
    )
    env = {"PLAN_ASSISTANT_CORPUS_DIR": str(corpus_copy), "PLAN_ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    result = runner.invoke(app, command, env=env)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    where = f"{lexicon}:{line_of(lexicon, '    terms:')}"
    assert f"{where}: concept « patinoire_couverte » : champs inconnus ['terms']" in result.output, (
        result.output
    )


# ------------------------------------------------------------------ the index follows the lexicons


def test_a_lexicon_changed_makes_a_new_build_that_the_service_loads(
    tmp_path: Path, corpus_copy: Path
) -> None:
    # The Saint-Sacrement plan alone, without its bank (quick to index).
    shutil.rmtree(corpus_copy / CITY)
    for name in (ORDER_NAME, "hors-plan.yaml", f"{SS}/questions.yaml"):
        (corpus_copy / name).unlink()
    emb = HashingEmbeddings()
    loc = LocalLocation(tmp_path / "index")
    service = IndexService(load_corpus(corpus_copy), emb, loc, corpus_dir=corpus_copy)
    first = service.ensure()
    assert concepts(first.lexicon, "y a-tu un glaçodrome") == []
    lexicon = corpus_copy / SS / LEXICON_NAME
    replace_in(lexicon, "    triggers: [patinoire,", "    triggers: [glaçodrome, patinoire,")
    corpus = load_corpus(corpus_copy)
    assert fingerprint(corpus) != first.lexicon.fingerprint
    # The documents are the same: nothing is embedded, but a new build is published.
    result = build_index(corpus, emb, loc)
    assert result.changed and result.build.embedded == 0 and result.build.build_id != first.build_id
    assert not build_index(corpus, emb, loc).changed  # and only once
    # The service sees the new build and reads the corpus again, with its lexicon.
    service.VERSION_CHECK_SECONDS = 0.0
    searcher = service.searcher()
    assert searcher.build_id == result.build.build_id
    assert concepts(searcher.lexicon, "y a-tu un glaçodrome") == ["patinoire_couverte"]
