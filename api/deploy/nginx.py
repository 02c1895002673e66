"""The reference nginx configuration (``nginx.conf`` beside this file), rendered with a site's
values: ``plan-assistant deploy nginx``. The tests render it the same way and run it in front of
the service."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_NAME = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9.*-]*$")
_RATE = re.compile(r"^\d+r/[sm]$")


@dataclass(frozen=True)
class NginxSite:
    server_name: str
    certificate: str
    certificate_key: str
    upstream: str = "127.0.0.1:8000"
    listen: str = "443"
    # Plain http, answered by a redirect to https.
    http_listen: str = "80"
    cache_dir: str = "/var/cache/nginx/plan-assistant"
    questions_rate: str = "2r/s"
    questions_burst: int = 20
    pages_rate: str = "20r/s"
    pages_burst: int = 100
    connections_per_address: int = 20
    # Seconds without progress after which a response the client does not read is cut.
    send_timeout: int = 10
    # The private access log (nginx.conf says what it holds), or « off »; the site's error log.
    access_log: str = "/var/log/nginx/plan-assistant.access.log"
    error_log: str = "/var/log/nginx/plan-assistant.error.log"
    # HSTS for the names under the server name too: only when every one of them is served in https.
    hsts_subdomains: bool = False
    # A front that sets X-Forwarded-For (a CDN, a load balancer): its addresses; empty when nginx
    # faces the internet itself.
    trusted_fronts: tuple[str, ...] = field(default_factory=tuple)

    def check(self) -> None:
        """ValueError naming the bad value: nothing unchecked reaches the configuration."""
        for name in self.server_name.split():
            if not _NAME.match(name):
                raise ValueError(f"nom de serveur invalide : {name!r}")
        paths = ["certificate", "certificate_key", "cache_dir", "error_log"]
        if self.access_log != "off":
            paths.append("access_log")
        for label in paths:
            path = getattr(self, label)
            if not _absolute_path(path):
                raise ValueError(f"{label} : chemin absolu sans espace ni « ; {{ }} » attendu, reçu {path!r}")
        if not re.match(r"^[\w.\-\[\]:]+:\d{1,5}$", self.upstream):
            raise ValueError(f"upstream : hôte:port attendu, reçu {self.upstream!r}")
        for label in ("listen", "http_listen"):
            if not re.match(r"^([\w.\-\[\]:]+:)?\d{1,5}$", getattr(self, label)):
                raise ValueError(f"{label} : port ou adresse:port attendu, reçu {getattr(self, label)!r}")
        if not 1 <= self.send_timeout <= 3600:
            raise ValueError(f"send_timeout : secondes de 1 à 3600 attendues, reçu {self.send_timeout!r}")
        for label, rate in (("questions_rate", self.questions_rate), ("pages_rate", self.pages_rate)):
            if not _RATE.match(rate):
                raise ValueError(f"{label} : débit attendu sous la forme 2r/s ou 60r/m, reçu {rate!r}")
        for front in self.trusted_fronts:
            try:
                ipaddress.ip_network(front, strict=False)
            except ValueError:
                raise ValueError(f"trusted_fronts : adresse ou réseau attendu, reçu {front!r}") from None

    def values(self) -> dict[str, str]:
        out = {f.name: str(getattr(self, f.name)) for f in fields(self) if f.name != "trusted_fronts"}
        out["access_log"] = "off" if self.access_log == "off" else f"{self.access_log} pa_private"
        out["hsts"] = "max-age=31536000" + ("; includeSubDomains" if self.hsts_subdomains else "")
        out["https_url"] = self.https_url()
        out["allowed_hosts"] = self.allowed_hosts()
        if self.trusted_fronts:
            lines = [f"    set_real_ip_from {front};" for front in self.trusted_fronts]
            lines += ["    real_ip_header X-Forwarded-For;", "    real_ip_recursive on;"]
            out["real_ip"] = "\n".join(lines)
        else:
            out["real_ip"] = "    # (no trusted front: nginx faces the internet; see trusted_fronts)"
        host = self.upstream.rsplit(":", 1)[0].strip("[]")
        out["proxy_address"] = "127.0.0.1" if host in ("127.0.0.1", "localhost") else "<adresse de nginx>"
        return out

    @property
    def https_port(self) -> str:
        return self.listen.rsplit(":", 1)[-1]

    def https_url(self) -> str:
        """Where the http server sends its clients: the first server name (the name the client
        asked for when it is a pattern), with the https port unless it is 443."""
        name = self.server_name.split()[0]
        host = "$host" if "*" in name or name == "_" else name
        return f"https://{host}" + ("" if self.https_port == "443" else f":{self.https_port}")

    def allowed_hosts(self) -> str:
        """The service's PLAN_ASSISTANT_ALLOWED_HOSTS behind this site: its names, with the https
        port when it is not 443 (the service accepts no other port under a name)."""
        suffix = "" if self.https_port == "443" else f":{self.https_port}"
        return ",".join(name + suffix for name in self.server_name.split())


def _absolute_path(path: str) -> bool:
    return path.startswith("/") and not any(c in path for c in ";{}\n\r\t ")


def render(site: NginxSite) -> str:
    """The configuration for ``site``; ValueError for a bad value or a placeholder left unfilled."""
    site.check()
    values = site.values()
    text = TEMPLATE.read_text(encoding="utf-8")
    missing = sorted({m for m in _PLACEHOLDER.findall(text) if m not in values})
    if missing:
        raise ValueError(f"valeurs manquantes pour {TEMPLATE.name} : {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
