"""Find adapter classes through entry points (group ``caap.adapters``) and check them.

Adapters are validated when the registry is built, not on the first request: an
entry point that does not load, or a class that lacks the contract's members,
is reported with where it came from. An unknown kind is answered with the list
of known ones; two distribution packages claiming one name are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

from adapters.contract import AdapterFactory
from adapters.errors import AdapterError

GROUP = "caap.adapters"
_REQUIRED = ("kind", "validate_config", "fetch_entities", "aclose")


class RegistryError(AdapterError):
    """An adapter kind is unknown, duplicated, or does not honour the contract."""


@dataclass(frozen=True, slots=True)
class Registered:
    """One adapter kind and where it comes from (``module:attr`` and distribution)."""

    kind: str
    factory: AdapterFactory
    origin: str


class AdapterRegistry:
    """The known adapter kinds, by name."""

    def __init__(self, entries: Iterable[Registered] = ()) -> None:
        self._by_kind: dict[str, Registered] = {}
        for entry in entries:
            self.add(entry)

    @classmethod
    def from_entry_points(cls, group: str = GROUP) -> AdapterRegistry:
        """Load every entry point of ``group``; raise RegistryError on the first broken one."""
        return cls(_load(ep) for ep in entry_points(group=group))

    def add(self, entry: Registered) -> None:
        """Register ``entry``; a kind already taken is refused."""
        if entry.kind in self._by_kind:
            other = self._by_kind[entry.kind].origin
            raise RegistryError(
                f"adapter kind {entry.kind!r} is registered twice: by {other} and by {entry.origin}"
            )
        self._by_kind[entry.kind] = entry

    def get(self, kind: str) -> AdapterFactory:
        """The factory for ``kind``; an unknown kind names the known ones."""
        try:
            return self._by_kind[kind].factory
        except KeyError:
            known = ", ".join(sorted(self._by_kind)) or "none"
            raise RegistryError(f"unknown adapter kind {kind!r} (known: {known})") from None

    def kinds(self) -> Mapping[str, Registered]:
        """All registered kinds, sorted by name."""
        return dict(sorted(self._by_kind.items()))


def _load(ep: EntryPoint) -> Registered:
    dist = ep.dist.name if ep.dist is not None else "unknown distribution"
    origin = f"{ep.value} ({dist})"
    try:
        obj: Any = ep.load()
    except Exception as exc:  # a third-party plugin may fail in any way
        raise RegistryError(f"adapter {ep.name!r} from {origin} does not load: {exc}") from exc
    missing = [name for name in _REQUIRED if not hasattr(obj, name)]
    if missing:
        raise RegistryError(
            f"adapter {ep.name!r} from {origin} lacks {', '.join(missing)} of the adapter contract"
        )
    if obj.kind != ep.name:
        raise RegistryError(
            f"adapter {ep.name!r} from {origin} says its kind is {obj.kind!r}; they must match"
        )
    return Registered(kind=ep.name, factory=cast(AdapterFactory, obj), origin=origin)
