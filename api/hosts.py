"""A ``Host`` header (or an ``ALLOWED_HOSTS`` entry) split into its name and its port: shared by the
settings, which check the entries, and :class:`api.middleware.TrustedHosts`, which checks requests.
A port is copied into the links of /demo: only a plain number of 1 to 65535 counts as one."""

from __future__ import annotations

import re

# ASCII digits only (str.isdigit() also accepts « ² » or « ８ »), without a leading zero.
_PORT = re.compile(r"[1-9][0-9]{0,4}")
DEFAULT_PORTS = {"http": 80, "https": 443}


def split_host(host: str) -> tuple[str, str | None]:
    """« nom:port » → (« nom », « port »); « [::1]:8000 » → (« ::1 », « 8000 »); without a port,
    (name, None). The port is returned as written, checked by :func:`port_number`. A bare IPv6
    address (several « : » without brackets) is a name without a port."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, None
        rest = host[end + 1 :]
        return host[1:end], rest[1:] if rest.startswith(":") else (rest or None)
    if host.count(":") == 1:
        name, port = host.split(":")
        return name, port
    return host, None


def port_number(text: str) -> int | None:
    """The port written ``text``, or None when it is not a number of 1 to 65535."""
    if not _PORT.fullmatch(text):
        return None
    port = int(text)
    return port if port <= 65535 else None
