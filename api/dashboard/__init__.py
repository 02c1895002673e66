"""The staff dashboard (``/admin``): what citizens ask, what the plans do not cover, which answers
they found unhelpful and why; behind a password, in French, accessible.

- :mod:`api.dashboard.auth`: password (argon2), signed sessions, CSRF, attempts;
- :mod:`api.dashboard.routes`: the pages and the CSV export;
- :mod:`api.dashboard.corrections`: the answers given, and staff corrections of them;
- :mod:`api.dashboard.gaps`: where the plans fall short, per objective, a conversation, reviews;
- :mod:`api.dashboard.views`: the filters and what the page shows;
- :mod:`api.dashboard.charts`: SVG charts drawn on the server;
- :mod:`api.dashboard.export`: the CSV;
- :mod:`api.dashboard.cli`: ``plan-assistant dashboard hash-password``.

The data comes from :mod:`assistant.questionlog.report`, shared with ``plan-assistant log report``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.dashboard.corrections import router as corrections_router
    from api.dashboard.gaps import router as gaps_router
    from api.dashboard.routes import router

__all__ = ["corrections_router", "gaps_router", "router"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the command line (hash-password) does not import the web pages.
    if name == "router":
        from api.dashboard.routes import router

        return router
    if name == "corrections_router":
        from api.dashboard.corrections import router as corrections_router

        return corrections_router
    if name == "gaps_router":
        from api.dashboard.gaps import router as gaps_router

        return gaps_router
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
