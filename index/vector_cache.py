"""Vectors already computed, kept on disk by model and text: a build embeds only texts it has never
seen, whichever data folder, vector store or build it is for.

A build already copies the vectors of unchanged documents from the build it replaces; this cache
goes further: a new data folder, a new Chroma server, a forced rebuild (``index --rebuild``, the
repair of a damaged index) or a copy of the service on another machine sharing the folder get the
vectors of every text embedded before without running the model (about 60 s of the 90 s of a
build of the two plans with the bundled model). Only the plans' texts and the question bank's
questions are kept here, never a citizen's question.

One SQLite file; a row per (model, kind, text) key (SHA-256, so the texts themselves are not
stored); the vector as float32 bytes. Several processes may read and write it at once (WAL, busy
timeout). It is only a cache: any failure to read or write it (a damaged or read-only file, a
vector of the wrong size) is logged and the texts are embedded as if it were empty; deleting the
file only costs time."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

log = logging.getLogger(__name__)

Kind = Literal["passage", "question"]
FILE_NAME = "vectors.sqlite3"


def _key(model_id: str, kind: Kind, text: str) -> bytes:
    return hashlib.sha256(f"{model_id}\0{kind}\0{text}".encode()).digest()


class VectorCache:
    """The vectors of ``(model, kind, text)`` kept in ``folder``/vectors.sqlite3."""

    def __init__(self, folder: Path):
        self.path = folder / FILE_NAME
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL) WITHOUT ROWID"
        )
        return db

    def get(
        self, model_id: str, kind: Kind, texts: Sequence[str], dimension: int | None = None
    ) -> dict[str, list[float]]:
        """The vectors known for ``texts`` (those of another ``dimension`` ignored)."""
        keys = {_key(model_id, kind, t): t for t in dict.fromkeys(texts)}
        found: dict[str, list[float]] = {}
        if not keys:
            return found
        try:
            with self._lock:
                db = self._connect()
                try:
                    wanted = list(keys)
                    for start in range(0, len(wanted), 500):
                        part = wanted[start : start + 500]
                        marks = ",".join("?" * len(part))
                        for key, blob in db.execute(
                            f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
                        ):
                            v = np.frombuffer(blob, dtype=np.float32)
                            if v.size and (dimension is None or v.size == dimension) and np.isfinite(v).all():
                                found[keys[key]] = v.tolist()
                finally:
                    db.close()
        except (sqlite3.Error, OSError) as e:
            log.warning(
                "cache de vecteurs %s illisible (%s) : les textes sont calculés à nouveau", self.path, e
            )
            return {}
        return found

    def put(
        self, model_id: str, kind: Kind, texts: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None:
        rows = [
            (_key(model_id, kind, t), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        if not rows:
            return
        try:
            with self._lock:
                db = self._connect()
                try:
                    with db:
                        db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
                finally:
                    db.close()
        except (sqlite3.Error, OSError) as e:
            log.warning("cache de vecteurs %s non écrit (%s)", self.path, e)
