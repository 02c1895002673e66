"""The vector store: Chroma through langchain-chroma, embedded (a persistent directory, no
server) or a Chroma server (``CHROMA_HOST``/``CHROMA_PORT``).

Chroma's own default embedding function is never used (it would download a model): vectors
always come from our embedder, and collections are opened with ``embedding_function=None``.
Telemetry is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

COLLECTION_CONFIGURATION: Any = {"hnsw": {"space": "cosine"}}


class StoreUnavailable(Exception):
    """The vector store cannot be reached (a Chroma server that is down…)."""


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


def chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def persistent_client(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def http_client(host: str, port: int) -> Any:
    try:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings())
    except Exception as e:  # connection refused, DNS…: say which server
        raise StoreUnavailable(f"serveur Chroma injoignable à {host}:{port} ({type(e).__name__})") from e


class ChromaStore:
    """One Chroma collection: writes through the Chroma client, similarity search through
    LangChain's ``Chroma`` vector store."""

    def __init__(
        self,
        client: Any,
        name: str,
        embeddings: Embeddings,
        metadata: dict[str, Any] | None = None,
        create: bool = False,
    ):
        self.client = client
        self.name = name
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
        except Exception as e:
            if _is_connection_error(e):
                raise StoreUnavailable(f"Chroma injoignable ({type(e).__name__})") from e
            raise
        self.vectorstore = Chroma(
            client=client,
            collection_name=name,
            embedding_function=embeddings,
            create_collection_if_not_exists=False,
        )

    @property
    def info(self) -> dict[str, Any]:
        return dict(self.collection.metadata or {})

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
        try:
            results = self.vectorstore.similarity_search_by_vector_with_relevance_scores(
                list(embedding), k=k, filter=where
            )
        except Exception as e:
            if _is_connection_error(e):
                raise StoreUnavailable(f"Chroma injoignable ({type(e).__name__})") from e
            raise
        # Cosine distance → similarity.
        return [(str(doc.id), 1.0 - float(dist)) for doc, dist in results]

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        return {i: [float(x) for x in e] for i, e in zip(got["ids"], got["embeddings"], strict=True)}

    def all_documents(self) -> list[tuple[str, str, dict[str, Any]]]:
        got = self.collection.get(include=["documents", "metadatas"])
        return list(zip(got["ids"], got["documents"], got["metadatas"], strict=True))

    def count(self) -> int:
        try:
            return int(self.collection.count())
        except Exception as e:
            if _is_connection_error(e):
                raise StoreUnavailable(f"Chroma injoignable ({type(e).__name__})") from e
            raise


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
