"""Staff corrections: matched by their words (and, once embedded, by their meaning), read again when
they change, and written into the plans' question banks for review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from typer.testing import CliRunner

from assistant.corrections import Corrections, normalised
from assistant.questionlog import QuestionLog, default_url
from assistant.questionlog.records import Correction
from corpus import load_corpus, validate

from .conftest import CITY, SS


def test_a_question_matches_a_correction_by_its_words() -> None:
    items = [Correction("Y a-t-il de l'aide pour l'épicerie ?", (f"{CITY}:23",), "M. T.")]
    version = [1]
    c = Corrections(lambda: items, lambda: version[0])
    c.check_seconds = 0.0
    assert normalised("Y a-t-il de l'aide pour l'épicerie ?") == "y a t il de l aide pour l epicerie"
    m = c.match_text("y a t il de l aide pour l epicerie")
    assert m is not None and m.correction.refs == (f"{CITY}:23",) and m.how == "mêmes mots"
    near = c.match_text("Y a-t-il de l'aide pour l'épicerie svp?")  # a word more
    assert near is not None and near.how == "presque les mêmes mots"
    assert c.match_text("Y a-t-il de l'aide pour le loyer?") is None
    # Read again when the log says they changed: a retired correction stops applying.
    seen = c.version
    items.clear()
    version[0] = 2
    assert c.match_text("y a t il de l aide pour l epicerie") is None and c.version == seen + 1


def test_a_paraphrase_matches_by_its_vector() -> None:
    items = [Correction("Quand passe la déneigeuse?", (), "J. L.")]
    c = Corrections(lambda: items, lambda: 1, embed=lambda texts: np.array([[1.0, 0.0]] * len(texts)))
    c.refresh(force=True)
    assert c.match_vector(np.array([0.99, 0.14])) is not None  # cosine 0.99
    assert c.match_vector(np.array([0.8, 0.6])) is None  # cosine 0.8
    assert c.match_vector(None) is None


def test_a_log_that_does_not_answer_keeps_the_corrections_read() -> None:
    items = [Correction("Quand passe la déneigeuse?", (), "J. L.")]
    down = [False]

    def version() -> int:
        if down[0]:
            raise ConnectionError("base injoignable")
        return 1

    c = Corrections(lambda: items, version)
    c.refresh(force=True)
    down[0] = True
    c.refresh(force=True)
    assert c.match_text("quand passe la deneigeuse") is not None


def test_bank_export_adds_corrections_for_review(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.cli import app

    data = tmp_path / "data"
    log = QuestionLog(default_url(data))
    log.add_correction(
        Correction("le conseil de quartier fait quoi pour les jardins", (f"{SS}:2.1.4",), "M. T.")
    )
    log.add_correction(
        Correction("aide pour payer l'épicerie et le loyer", (f"{CITY}:23", f"{CITY}:28"), "J. L.")
    )
    log.add_correction(Correction("c'est quand la collecte des encombrants", (), "J. L."))
    log.close()
    monkeypatch.setenv("PLAN_ASSISTANT_CORPUS_DIR", str(corpus_copy))
    monkeypatch.setenv("PLAN_ASSISTANT_DATA_DIR", str(data))
    runner = CliRunner()
    dry = runner.invoke(app, ["corpus", "bank", "export", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert '+    - "le conseil de quartier fait quoi pour les jardins"' in dry.output
    assert "3 correction(s) à ajouter" in dry.output
    assert load_corpus(corpus_copy).bank.files and validate(corpus_copy) == []
    before = len(load_corpus(corpus_copy).bank)
    done = runner.invoke(app, ["corpus", "bank", "export"])
    assert done.exit_code == 0, done.output
    bank = load_corpus(corpus_copy).bank
    assert len(bank) == before + 3
    added = {
        q.text: q
        for q in bank
        if (q.where and "jardins" in q.text) or "encombrants" in q.text or "loyer" in q.text
    }
    assert added["le conseil de quartier fait quoi pour les jardins"].refs == (f"{SS}:2.1.4",)
    assert added["aide pour payer l'épicerie et le loyer"].refs == (f"{CITY}:23", f"{CITY}:28")
    assert added["c'est quand la collecte des encombrants"].coverage == "none"
    # The file keeps what it had, and says where the new question comes from.
    text = (corpus_copy / SS / "questions.yaml").read_text(encoding="utf-8")
    assert "# correction du personnel : M. T." in text and yaml.safe_load(text)["plan"] == SS
    again = runner.invoke(app, ["corpus", "bank", "export"])
    assert "0 correction(s) ajoutée(s); 3 déjà dans la banque" in again.output
