"""The ``plan-assistant`` command: each layer declares its own sub-commands (``corpus``, ``index`` and
``search``, ``ask`` and ``chat``, ``eval`` and ``bench``), assembled here with ``serve``."""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli_french import HELP_OPTION_NAMES, FrenchGroup
from api.settings import get_settings
from corpus.console import fail
from corpus.settings import settings_problem

# In French throughout, help and usage errors (api/cli_french.py); plain text, since Rich's panels
# carry English titles of their own.
app = typer.Typer(
    cls=FrenchGroup,
    help="Assistant en français sur les plans d'action municipaux : corpus, index, questions, service web.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
)


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None, typer.Option("--host", help="Adresse d'écoute (par défaut : réglage HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (par défaut : réglage PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Processus (par défaut : réglage WORKERS; plusieurs : mode serveur Chroma requis).",
        ),
    ] = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="Niveau du journal : debug, info, warning, error.")
    ] = "info",
) -> None:
    """Lance le service web (API, visualiseur, widget) ; l'index est construit au premier démarrage."""
    from api.server import run

    try:
        settings = get_settings()
        settings.log_zone()  # the organisation's file read now: a bad time zone stops the start
    except ValidationError as e:
        fail(settings_problem(e))
    except ValueError as e:
        fail(str(e))
    n = workers or settings.workers
    if n > 1 and not settings.chroma_host:
        fail(
            "plusieurs processus ne peuvent pas écrire dans le même dossier Chroma : réglez "
            "PLAN_ASSISTANT_CHROMA_HOST (mode serveur) ou gardez --workers 1"
        )
    check_limits_storage(settings.rate_limit_storage)
    if n > 1:
        build_before_workers()
        # The workers share the cores: each computes embeddings on its share (the models read it).
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // n)))
    if n > 1 and settings.rate_limit_storage.startswith("memory"):
        typer.echo(
            "attention : chaque processus compte ses propres limites par client (réglez "
            "PLAN_ASSISTANT_RATE_LIMIT_STORAGE=redis://… pour une limite commune)",
            err=True,
        )
    h, p = host or settings.host, port or settings.port
    typer.echo(f"plan-assistant sur http://{h}:{p} (API : /docs, plans : /plans, démo : /demo)", err=True)
    run(settings, h, p, n, log_level)


def check_limits_storage(uri: str) -> None:
    """A storage the limits cannot use stops the start (each worker would fail, and be restarted,
    forever); a Redis that does not answer yet only gets a warning (requests pass meanwhile)."""
    from api.middleware import Limiter

    try:
        Limiter(uri, {})
    except Exception as e:
        fail(f"réglage PLAN_ASSISTANT_RATE_LIMIT_STORAGE : {e}")
    if uri.startswith("redis"):
        import redis

        try:
            redis.Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception as e:
            typer.echo(
                f"attention : Redis ne répond pas ({type(e).__name__}); les limites ne sont pas comptées",
                err=True,
            )


def build_before_workers() -> None:
    """Several workers would each build a missing index at once: build (or check) it first, in a
    process of its own (the supervisor does not keep the model in memory)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "api", "index"], capture_output=True, text=True)
    if done.returncode != 0:
        fail(done.stderr.strip().removeprefix("Erreur : ") or "la construction de l'index a échoué")
    typer.echo(done.stdout.strip(), err=True)


deploy = typer.Typer(help="Configurations de déploiement de référence.", no_args_is_help=True)
app.add_typer(deploy, name="deploy")


@deploy.command("nginx")
def deploy_nginx(
    server_name: Annotated[
        str, typer.Option("--server-name", help="Nom public, ex. assistant.exemple-ville.ca.")
    ],
    certificate: Annotated[
        str, typer.Option("--certificate", help="Chemin du certificat TLS (chaîne complète).")
    ],
    certificate_key: Annotated[str, typer.Option("--certificate-key", help="Chemin de la clé privée TLS.")],
    upstream: Annotated[
        str, typer.Option("--upstream", help="Adresse du service (hôte:port).")
    ] = "127.0.0.1:8000",
    listen: Annotated[str, typer.Option("--listen", help="Port (ou adresse:port) d'écoute TLS.")] = "443",
    http_listen: Annotated[
        str, typer.Option("--http-listen", help="Port (ou adresse:port) http, redirigé vers https (301).")
    ] = "80",
    cache_dir: Annotated[
        str, typer.Option("--cache-dir", help="Dossier du cache de nginx.")
    ] = "/var/cache/nginx/plan-assistant",
    trusted_front: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-front",
            help="Adresse ou réseau d'un frontal qui pose X-Forwarded-For (CDN, répartiteur); répétable.",
        ),
    ] = None,
    questions_rate: Annotated[
        str, typer.Option("--questions-rate", help="Questions par adresse (ex. 2r/s ou 60r/m).")
    ] = "2r/s",
    questions_burst: Annotated[
        int, typer.Option("--questions-burst", help="Rafale de questions tolérée par adresse.")
    ] = 20,
    pages_rate: Annotated[str, typer.Option("--pages-rate", help="Pages et listes par adresse.")] = "20r/s",
    pages_burst: Annotated[
        int, typer.Option("--pages-burst", help="Rafale de pages tolérée par adresse.")
    ] = 100,
    connections_per_address: Annotated[
        int, typer.Option("--connections-per-address", help="Connexions simultanées par adresse.")
    ] = 20,
    send_timeout: Annotated[
        int,
        typer.Option(
            "--send-timeout",
            help="Secondes sans que le client lise rien de la réponse, après lesquelles la connexion est coupée.",
        ),
    ] = 10,
    access_log: Annotated[
        str,
        typer.Option(
            "--access-log",
            help="Journal d'accès (méthode, chemin sans la chaîne de requête, statut, taille, durée; ni "
            "adresse ni navigateur), ou « off ».",
        ),
    ] = "/var/log/nginx/plan-assistant.access.log",
    error_log: Annotated[
        str,
        typer.Option(
            "--error-log", help="Journal d'erreurs du site (niveau emerg : aucune requête n'y est écrite)."
        ),
    ] = "/var/log/nginx/plan-assistant.error.log",
    hsts_subdomains: Annotated[
        bool,
        typer.Option(
            "--hsts-subdomains",
            help="HSTS avec includeSubDomains : seulement si tous les noms sous le nom du site sont servis en https.",
        ),
    ] = False,
) -> None:
    """Écrit sur la sortie standard la configuration nginx de référence pour ce site."""
    from api.deploy.nginx import NginxSite, render

    site = NginxSite(
        server_name=server_name,
        certificate=certificate,
        certificate_key=certificate_key,
        upstream=upstream,
        listen=listen,
        http_listen=http_listen,
        cache_dir=cache_dir,
        questions_rate=questions_rate,
        questions_burst=questions_burst,
        pages_rate=pages_rate,
        pages_burst=pages_burst,
        connections_per_address=connections_per_address,
        send_timeout=send_timeout,
        access_log=access_log,
        error_log=error_log,
        hsts_subdomains=hsts_subdomains,
        trusted_fronts=tuple(trusted_front or ()),
    )
    try:
        text = render(site)
    except ValueError as e:
        fail(str(e))
    typer.echo(text, nl=False)
    values = site.values()
    typer.echo(
        f"Réglez le service : PLAN_ASSISTANT_TRUSTED_PROXIES={values['proxy_address']} "
        f"PLAN_ASSISTANT_ALLOWED_HOSTS={values['allowed_hosts']}",
        err=True,
    )


#: The entry-point group through which each layer adds its sub-commands (pyproject.toml): the
#: command is assembled without this layer importing the ones beside it (``evals``) by name.
COMMANDS_GROUP = "plan_assistant.commands"


def register_commands(root: typer.Typer) -> None:
    """Add every layer's sub-commands (declared in pyproject.toml)."""
    found = entry_points(group=COMMANDS_GROUP)
    if not found:
        fail(
            f"aucune commande déclarée dans le groupe {COMMANDS_GROUP!r} : le paquet n'est pas "
            "installé (lancez « make install » ou « pip install -e . »)"
        )
    for ep in found:
        ep.load()(root)


register_commands(app)


def main() -> None:  # pragma: no cover
    app()
