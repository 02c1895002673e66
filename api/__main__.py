"""``python -m api …``: the ``plan-assistant`` command (for launchers that run a module)."""

from api.cli import app

app(prog_name="plan-assistant")
