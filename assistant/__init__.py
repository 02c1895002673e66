"""plan-assistant: grounded French answers about municipal action plans.

``import assistant; assistant.ask("Qui s'occupe de l'action 37?")``
"""

from __future__ import annotations
