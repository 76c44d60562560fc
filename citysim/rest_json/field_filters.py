"""Field filters of the simulated open-data API, in the Django REST framework style many
municipal APIs use: ``<field>__<lookup>=<value>`` (``temperature__gt=20``,
``index.level__in=good,moderate``, ``name__icontains=strand``; ``<field>=<value>``
for ``exact``). A field is a dotted path into the item as the API shows it.

A value compares with a field of its own kind only: a number field with the value read
as a number, a boolean field with ``true``/``false``, a text field with the text (order
by code point; ``icontains`` case-folded). A missing, null, list or object field never
matches. ``in`` takes a comma-separated list.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

LOOKUPS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_SEGMENT = r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*"
"""A field name: ``__`` starts the lookup."""
_NAME = re.compile(
    rf"(?P<field>{_SEGMENT}(?:\.{_SEGMENT})*)"
    r"(?:__(?P<lookup>exact|gt|gte|lt|lte|in|icontains))?"
)
MAX_FILTERS = 16


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """One ``<field>__<lookup>=<value>``."""

    path: tuple[str, ...]
    lookup: str
    value: str

    def keeps(self, item: Mapping[str, Any]) -> bool:
        """True when ``item``'s field passes."""
        field = _walk(item, self.path)
        if self.lookup == "in":
            return any(_compare(field, "exact", v) for v in self.value.split(","))
        if self.lookup == "icontains":
            return isinstance(field, str) and self.value.casefold() in field.casefold()
        return _compare(field, self.lookup, self.value)


def field_filter(name: str, value: str, fields: frozenset[str]) -> FieldFilter | None:
    """The filter a parameter asks for, or None when ``name`` is not one: it names a lookup,
    or (``exact``) one of ``fields``, the top-level fields of the resource's items."""
    found = _NAME.fullmatch(name)
    if found is None or (found["lookup"] is None and found["field"].split(".")[0] not in fields):
        return None
    return FieldFilter(tuple(found["field"].split(".")), found["lookup"] or "exact", value)


def _walk(item: Any, path: tuple[str, ...]) -> Any:
    for step in path:
        if not isinstance(item, Mapping):
            return None
        item = item.get(step)
    return item


def _compare(field: Any, lookup: str, text: str) -> bool:
    if isinstance(field, bool):
        if text not in ("true", "false") or lookup != "exact":
            return False
        return field is (text == "true")
    if isinstance(field, int | float):
        try:
            number = float(text)
        except ValueError:
            return False
        return math.isfinite(number) and LOOKUPS[lookup](field, number)
    if isinstance(field, str):
        return LOOKUPS[lookup](field, text)
    return False
