"""``plan-assistant index`` and ``plan-assistant search``: build the index, search it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from corpus.console import fail, fail_corpus
from index.settings import IndexSettings

if TYPE_CHECKING:
    from index.service import IndexService

index_app = typer.Typer()


def register(root: typer.Typer) -> None:
    root.registered_commands += index_app.registered_commands


def index_service(settings: IndexSettings | None = None) -> IndexService:
    from corpus import CorpusError
    from index.embeddings import EmbeddingError
    from index.service import IndexService

    try:
        return IndexService.from_settings(settings or IndexSettings())
    except EmbeddingError as e:
        fail(str(e))
    except CorpusError as e:
        fail_corpus(e.problems)


def progress_bar(label: str) -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: dict[str, tqdm] = {}

    def update(done: int, total: int) -> None:
        if "b" not in bar:
            bar["b"] = tqdm(total=total, desc=label, unit="doc", file=sys.stderr, leave=False)
        bar["b"].n = done
        bar["b"].refresh()
        if done >= total:
            bar["b"].close()

    return update


@index_app.command("index")
def index_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Tout recalculer, même ce qui n'a pas changé.")
    ] = False,
) -> None:
    """Construit ou met à jour l'index (idempotent et atomique)."""
    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    service = index_service()
    try:
        result = service.build(force=rebuild, progress=progress_bar("Indexation"))
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        fail(str(e))
    except KeyboardInterrupt:
        typer.echo("Interrompu : l'index précédent est intact et continue de servir.", err=True)
        raise typer.Exit(130) from None
    b = result.build
    where = service.location.describe()
    if not result.changed:
        typer.echo(f"Index à jour : {b.doc_count} documents, modèle {b.model_id} ({where}).")
        return
    typer.echo(
        f"Index construit : {b.doc_count} documents ({b.embedded} calculés, {result.reused} repris, "
        f"{result.cached} lus dans le cache de vecteurs) "
        f"en {b.seconds:.1f} s, modèle {b.model_id}, version {b.build_id} ({where})."
    )


@index_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(metavar="QUESTION", help="La question ou les mots cherchés.")],
    plan: Annotated[str | None, typer.Option("--plan", help="Seulement ce plan (identifiant).")] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Seulement les éléments dont l'objectif liste cette unité administrative."
        ),
    ] = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon", help="Seulement cet échéancier (un code que le plan définit dans sa légende)."
        ),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Seulement cette sorte : action, objectif, section…")
    ] = None,
    k: Annotated[int, typer.Option("-k", help="Nombre de résultats.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Recherche hybride (vecteurs + BM25) dans les plans."""
    import json

    from index.embeddings import EmbeddingError
    from index.location import IndexError_
    from index.store import StoreUnavailable

    if not query.strip():
        fail("la question est vide")
    service = index_service()
    try:
        searcher = service.ensure(rebuild=True, progress=progress_bar("Indexation"))
        hits = searcher.search(
            query, k=k, filters={"plan": plan, "unit": unit, "horizon": horizon, "kind": kind}
        )
    except ValueError as e:
        fail(str(e))
    except (IndexError_, StoreUnavailable, EmbeddingError) as e:
        fail(str(e))
    if as_json:
        typer.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
        return
    if not hits:
        typer.echo("Aucun résultat.")
    for rank, h in enumerate(hits, 1):
        label = (
            h.title
            if h.kind not in ("action", "objectif")
            else f"{h.kind.capitalize()} {h.number} — {h.title}"
        )
        extra = f" [{h.horizon}]" if h.horizon else ""
        typer.echo(f"{rank}. {label}{extra}  ({h.ref}, score {h.score:.4f})")
