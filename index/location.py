"""Where index builds live, and the atomic switch between them.

A build is one Chroma collection holding every document (text, metadata, vector) plus a
record of how it was built (embedding model, document count, ids). A new build is written
beside the current one and published by replacing a pointer in one atomic step; until then
the current build keeps serving, whatever happens to the new one.

- Embedded (default): ``DATA/index/builds/<build>/`` holds a persistent Chroma directory;
  the pointer is the file ``DATA/index/CURRENT``, replaced with ``os.replace``. One process
  owns the directory while it writes (a lock file serialises builds).
- Chroma server: one collection per build, ``plan-assistant-<build>``; the pointer is a
  record in the collection ``plan-assistant-pointer``.

A store returned by :meth:`IndexLocation.open` or :meth:`IndexLocation.create` is closed by whoever
asked for it (``store.close()``): an embedded build's store holds its SQLite connections and HNSW
files open until then. Messages of :class:`IndexError_` may reach a client of the API (in a 503):
they name the place (:meth:`IndexLocation.label`, « DATA/index/builds/<build> »), never the data
folder's absolute path (:meth:`IndexLocation.describe` gives it, for the operator).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel

from index.store import ChromaStore, StoreUnavailable, VectorStore, http_client, persistent_client

COLLECTION = "plan-assistant"
POINTER_COLLECTION = "plan-assistant-pointer"


class BuildInfo(BaseModel):
    build_id: str
    model_id: str
    dimension: int
    doc_count: int
    docs_hash: str  # hash of the sorted document ids and of the lexicon: equal hashes, identical contents
    created: str
    embedded: int = 0  # documents embedded by this build (the others were reused)
    seconds: float = 0.0


class IndexError_(Exception):
    """The index cannot be used as it is; the message says what to do. It may be shown to a client
    of the API: it never contains the data folder's absolute path."""


class IndexLocation(Protocol):
    """Where the index's builds live, and which one is current: a folder (embedded Chroma) or a
    Chroma server. Every backend passes the same tests (``tests/test_store_contract.py``)."""

    #: True when several machines share the store (a server): questions query it. False for a
    #: folder of this machine: its vectors are read once and searched in memory.
    shared: bool

    def describe(self) -> str:
        """Where, for the operator (« dossier /srv/data/index », « serveur Chroma 127.0.0.1:8000 »)."""
        ...

    def label(self) -> str:
        """Where, for messages a client may read: no absolute path (« DATA/index », « serveur Chroma »)."""
        ...

    def current(self) -> BuildInfo | None:
        """The published build (None before the first); IndexError_ when its pointer is unreadable."""
        ...

    def open(self, build: BuildInfo, embeddings: Embeddings) -> VectorStore:
        """The store of a build, to read; the caller closes it. IndexError_ when it is missing or
        unreadable."""
        ...

    def create(self, build_id: str, embeddings: Embeddings) -> VectorStore:
        """A new, empty store for a build, beside the current one; the caller closes it."""
        ...

    def publish(self, build: BuildInfo) -> None:
        """Make a build current, at once (atomically)."""
        ...

    def discard(self, build_id: str) -> None:
        """Remove a build that was not published (a failed or interrupted build)."""
        ...

    def cleanup(self, keep: set[str]) -> None:
        """Remove the builds not in ``keep`` (their stores must have been closed: an embedded build
        removed while open stays on disk, as deleted files, until it is closed)."""
        ...

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """One builder at a time."""
        ...

    def version(self) -> str:
        """Changes whenever another build is published (cheap: asked by every request)."""
        ...


class LocalLocation:
    shared = False

    def __init__(self, root: Path):
        self.root = root
        self.builds = root / "builds"
        self.pointer = root / "CURRENT"

    def describe(self) -> str:
        return f"dossier {self.root}"

    def label(self) -> str:
        return "DATA/index"

    def _public(self, text: str) -> str:
        """``text`` with the data folder's absolute path written ``DATA`` (for messages a client may read)."""
        for folder in {str(self.root.parent.resolve()), str(self.root.parent.absolute())}:
            if len(folder) > 1:
                text = text.replace(folder, "DATA")
        return text

    def version(self) -> str:
        """Changes whenever a new build is published (cheap: one stat)."""
        try:
            st = self.pointer.stat()
        except FileNotFoundError:
            return ""
        return f"{st.st_mtime_ns}:{st.st_size}"

    def current(self) -> BuildInfo | None:
        try:
            return BuildInfo.model_validate_json(self.pointer.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (ValueError, OSError) as e:
            raise IndexError_(
                f"le pointeur d'index ({self.label()}/{self.pointer.name}) est illisible ({type(e).__name__})"
            ) from e

    def _dir(self, build_id: str) -> Path:
        return self.builds / build_id

    def open(self, build: BuildInfo, embeddings: Embeddings) -> ChromaStore:
        path = self._dir(build.build_id)
        where = f"{self.label()}/builds/{build.build_id}"
        if not (path / "chroma.sqlite3").exists():
            raise IndexError_(f"la version {build.build_id} de l'index est introuvable ({where})")
        try:
            return ChromaStore(persistent_client(path), COLLECTION, embeddings, owns_client=True)
        except Exception as e:
            raise IndexError_(
                f"la version {build.build_id} de l'index est illisible ({where} ; "
                f"{type(e).__name__}: {self._public(str(e))})"
            ) from e

    def create(self, build_id: str, embeddings: Embeddings) -> ChromaStore:
        path = self._dir(build_id)
        if path.exists():
            shutil.rmtree(path)
        return ChromaStore(persistent_client(path), COLLECTION, embeddings, create=True, owns_client=True)

    def publish(self, build: BuildInfo) -> None:
        tmp = self.pointer.with_name("CURRENT.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(build.model_dump_json(indent=2))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def discard(self, build_id: str) -> None:
        shutil.rmtree(self._dir(build_id), ignore_errors=True)

    def cleanup(self, keep: set[str]) -> None:
        if not self.builds.exists():
            return
        for d in self.builds.iterdir():
            if d.is_dir() and d.name not in keep:
                shutil.rmtree(d, ignore_errors=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".build.lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise IndexError_(
                    f"une autre construction de l'index est en cours ({self.label()}) ; attendez qu'elle "
                    "termine"
                ) from e
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


class ServerLocation:
    shared = True

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = http_client(self.host, self.port)
        return self._client

    def describe(self) -> str:
        return f"serveur Chroma {self.host}:{self.port}"

    def label(self) -> str:
        return "serveur Chroma"

    def _pointer(self) -> Any:
        try:
            return self.client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)
        except Exception as e:
            self._client = None
            raise StoreUnavailable(
                f"serveur Chroma injoignable à {self.host}:{self.port} ({type(e).__name__})"
            ) from e

    def version(self) -> str:
        b = self.current()
        return b.build_id if b else ""

    def current(self) -> BuildInfo | None:
        got = self._pointer().get(ids=["current"], include=["documents"])
        if not got["ids"]:
            return None
        try:
            return BuildInfo.model_validate_json(got["documents"][0])
        except ValueError as e:
            raise IndexError_("le pointeur d'index du serveur Chroma est illisible") from e

    def _name(self, build_id: str) -> str:
        return f"{COLLECTION}-{build_id}"

    def open(self, build: BuildInfo, embeddings: Embeddings) -> ChromaStore:
        try:
            return ChromaStore(self.client, self._name(build.build_id), embeddings)
        except StoreUnavailable:
            raise
        except Exception as e:
            raise IndexError_(
                f"la collection {self._name(build.build_id)} est introuvable sur le serveur"
            ) from e

    def create(self, build_id: str, embeddings: Embeddings) -> ChromaStore:
        with contextlib.suppress(Exception):
            self.client.delete_collection(self._name(build_id))
        return ChromaStore(self.client, self._name(build_id), embeddings, create=True)

    def publish(self, build: BuildInfo) -> None:
        self._pointer().upsert(ids=["current"], documents=[build.model_dump_json()], embeddings=[[0.0]])

    def discard(self, build_id: str) -> None:
        with contextlib.suppress(Exception):
            self.client.delete_collection(self._name(build_id))

    def cleanup(self, keep: set[str]) -> None:
        keep_names = {self._name(b) for b in keep}
        for c in self.client.list_collections():
            name = c if isinstance(c, str) else c.name
            if name.startswith(COLLECTION + "-") and name != POINTER_COLLECTION and name not in keep_names:
                with contextlib.suppress(Exception):
                    self.client.delete_collection(name)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        yield  # one indexer at a time per server is the deployment's rule (see docs/architecture.md)


def location_for(data_dir: Path, chroma_host: str | None, chroma_port: int) -> IndexLocation:
    if chroma_host:
        return ServerLocation(chroma_host, chroma_port)
    return LocalLocation(data_dir / "index")
