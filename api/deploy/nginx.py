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
    cache_dir: str = "/var/cache/nginx/plan-assistant"
    questions_rate: str = "2r/s"
    questions_burst: int = 20
    pages_rate: str = "20r/s"
    pages_burst: int = 100
    connections_per_address: int = 20
    # A front that sets X-Forwarded-For (a CDN, a load balancer): its addresses; empty when nginx
    # faces the internet itself.
    trusted_fronts: tuple[str, ...] = field(default_factory=tuple)

    def check(self) -> None:
        """ValueError naming the bad value: nothing unchecked reaches the configuration."""
        for name in self.server_name.split():
            if not _NAME.match(name):
                raise ValueError(f"nom de serveur invalide : {name!r}")
        for label in ("certificate", "certificate_key", "cache_dir"):
            path = getattr(self, label)
            if not _absolute_path(path):
                raise ValueError(f"{label} : chemin absolu sans espace ni « ; {{ }} » attendu, reçu {path!r}")
        if not re.match(r"^[\w.\-\[\]:]+:\d{1,5}$", self.upstream):
            raise ValueError(f"upstream : hôte:port attendu, reçu {self.upstream!r}")
        if not re.match(r"^([\w.\-\[\]:]+:)?\d{1,5}$", self.listen):
            raise ValueError(f"listen : port ou adresse:port attendu, reçu {self.listen!r}")
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
        if self.trusted_fronts:
            lines = [f"    set_real_ip_from {front};" for front in self.trusted_fronts]
            lines += ["    real_ip_header X-Forwarded-For;", "    real_ip_recursive on;"]
            out["real_ip"] = "\n".join(lines)
        else:
            out["real_ip"] = "    # (no trusted front: nginx faces the internet; see trusted_fronts)"
        host = self.upstream.rsplit(":", 1)[0].strip("[]")
        out["proxy_address"] = "127.0.0.1" if host in ("127.0.0.1", "localhost") else "<adresse de nginx>"
        return out


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
