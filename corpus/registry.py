"""One small registry mechanism for what the project plugs in by name (plan parsers, embedding
backends): a decorator registers an item with a description; the built-in modules register
themselves like any other, imported on first use."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, what: str, builtin: tuple[str, ...] = ()):
        self.what = what  # « analyseur », « modèle d'embeddings »: for messages
        self.builtin = builtin  # modules that register the built-in items when imported
        self._items: dict[str, tuple[T, str]] = {}
        self._loaded = False

    def register(self, name: str, description: str) -> Callable[[T], T]:
        def deco(item: T) -> T:
            self._items[name] = (item, description)
            return item

        return deco

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.builtin:
                importlib.import_module(module)

    def get(self, name: str) -> T | None:
        self._load()
        found = self._items.get(name)
        return found[0] if found else None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def descriptions(self) -> dict[str, str]:
        self._load()
        return {k: v[1] for k, v in sorted(self._items.items())}
