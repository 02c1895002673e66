"""The four plans of issue 21: the shipped corpus (the City's plan, the Saint-Sacrement plan and the
off-plan questions) and two plans of other shapes published as PDFs (tests/pdfs.py: a road safety
plan, a healthy living plan), imported with the real command, their drafted manifests completed as
the person who imports them does (docs/importer-un-pdf.md), validated; then indexed. The session
fixtures ``four_plans`` and ``four_index`` (tests/conftest.py) build them once for the tests that
answer them in process (test_pdf_plans_answered) and in the widget (test_pdf_plans_widget)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from api.cli import app
from corpus import load_corpus
from corpus.loader import DEFAULT_CORPUS_DIR
from index.location import LocalLocation
from index.service import IndexService

from . import pdfs

ROAD = "rivieres-securite-routiere-2025-2027"
HEALTHY = "charlesbourg-saines-habitudes-2025-2028"

# What the person who imports a plan completes in its drafted manifest (docs/importer-un-pdf.md).
COMPLETED = {
    ROAD: {
        "organisation": pdfs.ROAD_SAFETY_ORG,
        "aliases": ["plan de sécurité routière", "sécurité routière", "arrondissement des Rivières"],
    },
    HEALTHY: {
        "organisation": pdfs.HEALTHY_ORG,
        "aliases": ["plan des saines habitudes de vie", "saines habitudes de vie", "Charlesbourg"],
    },
}


def run(*args: str) -> str:
    """``plan-assistant <args>`` through the real CLI; its output (the command must succeed)."""
    result = CliRunner().invoke(app, list(args), prog_name="plan-assistant")
    assert result.exit_code == 0, result.output
    return result.output


def import_four_plans(root: Path) -> Path:
    """The four-plan corpus in ``root``/plans: a copy of the shipped one, plus the two PDFs imported,
    every line placed, their manifests completed, the whole validated."""
    corpus_dir = root / "plans"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus_dir)
    made = {
        ROAD: pdfs.road_safety_pdf(root / "securite-routiere.pdf"),
        HEALTHY: pdfs.healthy_pdf(root / "saines.pdf"),
    }
    for plan_id, pdf in made.items():
        out = run("corpus", "import", str(pdf), "--id", plan_id, "--dossier", str(corpus_dir))
        assert "ligne(s) du PDF" not in out, out  # every line placed
        manifest = corpus_dir / plan_id / "manifest.yaml"
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
        manifest.write_text(
            yaml.safe_dump(data | COMPLETED[plan_id], allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    out = run("corpus", "validate", str(corpus_dir))
    assert f"✓ {ROAD} : 4 axes · 12 actions" in out and f"✓ {HEALTHY} : 12 actions" in out, out
    return corpus_dir


def index_four_plans(corpus_dir: Path, built: IndexService, data: Path, cache_dir: Path) -> IndexService:
    """The index of ``corpus_dir`` in ``data``/index (a data folder a service can be started on): the
    session's index of the two shipped plans copied, then a build with the two new ones, so only
    their documents are embedded (the others' vectors are reused, as any re-index does)."""
    index = data / "index"
    assert isinstance(built.location, LocalLocation)
    shutil.copytree(built.location.root, index)
    service = IndexService(
        load_corpus(corpus_dir),
        built.embedder,
        LocalLocation(index),
        corpus_dir=corpus_dir,
        cache_dir=cache_dir,
    )
    service.ensure(rebuild=True)
    return service
