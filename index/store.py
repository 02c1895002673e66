"""The vector store: Chroma through langchain-chroma, embedded (a persistent directory, no
server) or a Chroma server (``CHROMA_HOST``/``CHROMA_PORT``).

Chroma's own default embedding function is never used (it would download a model): vectors
always come from our embedder, and collections are opened with ``embedding_function=None``.
Telemetry is off.

An embedded store owns its Chroma client, and with it a Chroma *system* (SQLite connections, the
HNSW segment files, a Rust runtime) that Chroma shares between the clients of one folder and
stops with the last of them: :meth:`ChromaStore.close` releases it. A store read by requests is
released by :meth:`ChromaStore.release_with` once the last request holding its searcher lets go
of it (closed by a background thread, never in the request).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import queue
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InvalidArgumentError, InvalidDimensionException
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

COLLECTION_CONFIGURATION: Any = {"hnsw": {"space": "cosine"}}

log = logging.getLogger("plan_assistant.index")

# Errors of the caller (a bad filter, a vector of another dimension), not of the store.
_ARGUMENT_ERRORS = (ValueError, TypeError, InvalidArgumentError, InvalidDimensionException)

# Chroma creates, shares and stops the system of a folder without a lock between a client that closes
# (the last one stops the system) and a client being created for the same folder (which would get the
# system being stopped): both go through this lock.
_CLIENTS = threading.Lock()


class StoreUnavailable(Exception):
    """The vector store cannot be reached (a Chroma server that is down…)."""


class StoreBroken(StoreUnavailable):
    """The store answered with an error that is not a lost connection: its files are damaged or gone
    (an embedded build's SQLite file overwritten…). The store is marked :attr:`ChromaStore.broken`;
    the index service then reopens its build, or rebuilds it. The message names no file."""


class VectorStore(Protocol):
    """What the index needs from a vector store."""

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None: ...

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]: ...

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]: ...

    def all_documents(self) -> list[tuple[str, str, dict[str, Any]]]: ...

    def count(self) -> int: ...

    @property
    def info(self) -> dict[str, Any]: ...

    @property
    def broken(self) -> bool:
        """True once the store failed with an error that is not a lost connection (:class:`StoreBroken`)."""
        ...

    def close(self) -> None:
        """Release what the store holds (idempotent); it must not be used afterwards."""
        ...

    def release_with(self, owner: object) -> None:
        """Close the store once ``owner`` is no longer referenced (the last request using it ended)."""
        ...


def chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def persistent_client(path: Path) -> Any:
    """A client of the embedded Chroma in ``path``; whoever opens it closes it (:func:`close_client`)."""
    path.mkdir(parents=True, exist_ok=True)
    with _CLIENTS:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def close_client(client: Any) -> None:
    """Close a Chroma client (idempotent): the last client of a folder stops its system, which closes
    its SQLite connections and HNSW files."""
    close = getattr(client, "close", None)
    if close is None:
        return
    with _CLIENTS:
        try:
            close()
        except Exception as e:  # a system already stopped, a damaged store…: nothing more to release
            log.debug("fermeture d'un client Chroma : %s", e)


# Stores whose last user let go, closed by one daemon thread: a finalizer runs wherever the last
# reference goes (in a request, in the garbage collector, under a lock), where closing could block.
_RELEASED: queue.SimpleQueue[ChromaStore] = queue.SimpleQueue()
_closer: threading.Thread | None = None
_closer_lock = threading.Lock()


def _close_released() -> None:
    while True:
        store = _RELEASED.get()
        try:
            store.close()
        except Exception:  # never let the closer die
            log.exception("fermeture d'un index remplacé")
        if _RELEASED.empty():
            _trim_native_heap()


def _trim_native_heap() -> None:
    """Give the memory freed by a stopped Chroma system back to the system (glibc keeps it in the
    heaps of the threads that allocated it, which Chroma starts and stops with each system)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_TRIM: Any = None


def _malloc_trim() -> Any:
    global _TRIM
    if _TRIM is None:
        _TRIM = False
        with contextlib.suppress(OSError, AttributeError):
            _TRIM = ctypes.CDLL(None).malloc_trim  # glibc only (not musl, not macOS)
    return _TRIM or None


def _start_closer() -> None:
    global _closer
    with _closer_lock:
        if _closer is None or not _closer.is_alive():
            _closer = threading.Thread(target=_close_released, name="index-store-closer", daemon=True)
            _closer.start()


def http_client(host: str, port: int) -> Any:
    try:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings())
    except Exception as e:  # connection refused, DNS…: say which server
        raise StoreUnavailable(f"serveur Chroma injoignable à {host}:{port} ({type(e).__name__})") from e


class ChromaStore:
    """One Chroma collection: writes through the Chroma client, similarity search through
    LangChain's ``Chroma`` vector store.

    ``owns_client``: the store closes the client with itself (an embedded build's own client; a
    Chroma server's client is shared by every store and stays open). When the collection cannot be
    opened, an owned client is closed before the error is raised."""

    def __init__(
        self,
        client: Any,
        name: str,
        embeddings: Embeddings,
        metadata: dict[str, Any] | None = None,
        create: bool = False,
        owns_client: bool = False,
    ):
        self.client = client
        self.name = name
        self.owns_client = owns_client
        self._broken = False
        self._closed = False
        try:
            if create:
                self.collection = client.create_collection(
                    name=name,
                    embedding_function=None,
                    metadata=metadata or None,
                    configuration=COLLECTION_CONFIGURATION,
                )
            else:
                self.collection = client.get_collection(name=name, embedding_function=None)
            self.vectorstore = Chroma(
                client=client,
                collection_name=name,
                embedding_function=embeddings,
                create_collection_if_not_exists=False,
            )
        except BaseException as e:
            if owns_client:
                close_client(client)
            if isinstance(e, Exception) and _is_connection_error(e):
                raise StoreUnavailable(f"Chroma injoignable ({type(e).__name__})") from e
            raise

    @property
    def info(self) -> dict[str, Any]:
        return dict(self.collection.metadata or {})

    @property
    def broken(self) -> bool:
        return self._broken

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Release the client when the store owns it (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.owns_client:
            close_client(self.client)

    def release_with(self, owner: object) -> None:
        """Close this store once ``owner`` (the searcher reading it) is no longer referenced by anyone:
        requests in flight keep their searcher, so the store closes after the last of them. (A
        store that does not own its client has nothing to release.)"""
        if self.owns_client:
            _start_closer()
            weakref.finalize(owner, _RELEASED.put, self)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Errors of Chroma while reading: :class:`StoreUnavailable` when it cannot be reached,
        :class:`StoreBroken` otherwise (the store is marked broken), except an invalid argument (the
        caller's error, raised as it is). A panic of Chroma's Rust code counts as broken too."""
        try:
            yield
        except (KeyboardInterrupt, SystemExit, GeneratorExit, *_ARGUMENT_ERRORS):
            raise
        except BaseException as e:
            if isinstance(e, Exception) and _is_connection_error(e):
                raise StoreUnavailable(f"Chroma injoignable ({type(e).__name__})") from e
            self._broken = True
            raise StoreBroken(f"l'index ne répond plus correctement ({type(e).__name__})") from e

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        embeddings: Sequence[Sequence[float]],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        if ids:
            self.collection.add(
                ids=list(ids),
                documents=list(texts),
                embeddings=[list(e) for e in embeddings],
                metadatas=list(metadatas),
            )

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None
    ) -> list[tuple[str, float]]:
        with self._reading():
            results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
                list(embedding), k=k, filter=where
            )
        # Cosine distance → similarity.
        return [(str(doc.id), 1.0 - float(dist)) for doc, dist in results]

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        with self._reading():
            got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {i: [float(x) for x in e] for i, e in zip(got["ids"], got["embeddings"], strict=True)}

    def all_documents(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self._reading():
            got = self.collection.get(include=["documents", "metadatas"])
        return list(zip(got["ids"], got["documents"], got["metadatas"], strict=True))

    def count(self) -> int:
        with self._reading():
            return int(self.collection.count())


def _is_connection_error(e: BaseException) -> bool:
    names = {type(x).__name__ for x in _chain(e)}
    text = " ".join(str(x) for x in _chain(e)).lower()
    return (
        bool(
            names
            & {
                "ConnectError",
                "ConnectionError",
                "ConnectTimeout",
                "ReadTimeout",
                "RemoteProtocolError",
                "ConnectionRefusedError",
                "ReadError",
            }
        )
        or "could not connect" in text
    )


def _chain(e: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = e
    while cur is not None and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out
