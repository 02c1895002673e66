"""The corpus of ``plan-assistant eval scale`` (evals/scale.py): N plans the loader and ``corpus
validate`` accept, the copies each with their own id, title, aliases and embedded texts, and no
question bank. (The measure itself builds a 30-plan index: it is not run here.)"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from corpus import load_corpus
from corpus.bank import BANK_NAME
from corpus.loader import DEFAULT_CORPUS_DIR
from evals.scale import is_copy, shared_texts, write_scale_corpus
from index.documents import build_documents

PLANS = 7


def test_the_generated_corpus_has_n_valid_plans_with_distinct_names_texts_and_no_bank(tmp_path: Path) -> None:
    folder = write_scale_corpus(tmp_path / "plans", PLANS)
    result = CliRunner().invoke(app, ["corpus", "validate", str(folder)], prog_name="plan-assistant")
    assert result.exit_code == 0, result.output
    corpus = load_corpus(folder)
    shipped = load_corpus(DEFAULT_CORPUS_DIR)
    assert len(corpus) == PLANS
    plans = list(corpus)
    copies = [p for p in plans if is_copy(p.id)]
    assert len(copies) == PLANS - len(shipped)
    assert {p.id for p in plans} - {p.id for p in copies} == set(shipped.plans)
    # Distinct ids (the loader refuses a repeated one), titles and aliases.
    assert len({p.title for p in plans}) == PLANS
    aliases = [a.casefold() for p in plans for a in p.meta.aliases]
    assert len(aliases) == len(set(aliases))
    # Both shipped plans are copied, and every copy has the original's actions under other texts.
    originals = {p.id.split("-copie-")[0] for p in copies}
    assert originals == set(shipped.plans)
    for p in copies:
        assert len(p.actions()) == len(shipped.plan(p.id.split("-copie-")[0]).actions())
    assert shared_texts(corpus) == 0
    texts = [d.dense_text for d in build_documents(corpus)]
    assert len(texts) == len(set(texts))
    # The copies have no question bank; the shipped plans keep theirs, and the corpus its hors-plan one.
    for p in copies:
        assert not (folder / p.id / BANK_NAME).exists()
    asked = {ref.partition(":")[0] for q in corpus.bank for ref in q.refs}
    assert not any(is_copy(i) for i in asked)
    assert len(corpus.bank.questions) == len(shipped.bank.questions)
