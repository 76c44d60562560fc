"""Collections and entities as SensorThings JSON: ``@iot.id``, links, ``$select``, ``$expand``.

A collection is ``{"@iot.count"?, "value": [...], "@iot.nextLink"?}``, ordered by
``$orderby`` and then by ``@iot.id``. An expanded to-many navigation property
is an array, with ``<Name>@iot.count`` when its options ask for a count and
``<Name>@iot.nextLink`` when more remain. Links are absolute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from citysim.sensorthings.evaluate import evaluate, holds
from citysim.sensorthings.nodes import NAVIGATION, SET_OF, Node
from citysim.sensorthings.options import Options


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a collection: its entities, how many matched, whether more remain."""

    nodes: Sequence[Node]
    count: int
    more: bool


def select_page(nodes: Sequence[Node], options: Options) -> Page:
    """Filter, order (``$orderby``, then ``@iot.id``), skip and take."""
    kept = [n for n in nodes if holds(options.filter, n)] if options.filter else list(nodes)
    kept.sort(key=lambda n: n.id)
    for order in reversed(options.orderby):
        keys = {n.id: _sort_key(evaluate(order.expr, n)) for n in kept}
        kept.sort(key=lambda n: keys[n.id], reverse=order.descending)
    end = options.skip + options.top
    return Page(kept[options.skip : end], len(kept), end < len(kept))


def collection(nodes: Sequence[Node], options: Options, base: str, url: str) -> dict[str, Any]:
    """A collection answer; ``url`` (without query) is where the next page is asked for."""
    page = select_page(nodes, options)
    body: dict[str, Any] = {}
    if options.count:
        body["@iot.count"] = page.count
    body["value"] = [entity(n, options, base) for n in page.nodes]
    if page.more:
        body["@iot.nextLink"] = next_link(url, options)
    return body


def entity(node: Node, options: Options, base: str) -> dict[str, Any]:
    """One entity with its selected properties, links and expanded navigation properties."""
    self_link = f"{base}/{SET_OF[node.type]}({node.id})"
    selected = options.select
    out: dict[str, Any] = {}
    if selected is None or {"@iot.id", "id"} & set(selected):
        out["@iot.id"] = node.id
        out["@iot.selfLink"] = self_link
    for name, value in node.properties().items():
        if selected is None or name in selected:
            out[name] = value
    expanded = {e.name for e in options.expand}
    for name in NAVIGATION[node.type]:
        if name not in expanded and (selected is None or name in selected):
            out[f"{name}@iot.navigationLink"] = f"{self_link}/{name}"
    for item in options.expand:
        target = node.navigate(item.name)
        if isinstance(target, list):
            page = select_page(target, item.options)
            out[item.name] = [entity(n, item.options, base) for n in page.nodes]
            if item.options.count:
                out[f"{item.name}@iot.count"] = page.count
            if page.more:
                out[f"{item.name}@iot.nextLink"] = next_link(
                    f"{self_link}/{item.name}", item.options
                )
        else:
            out[item.name] = entity(target, item.options, base) if target is not None else None
    return out


def next_link(url: str, options: Options) -> str:
    """``url`` with the options that produced this page, skipping to the next one."""
    params = {k: v for k, v in options.raw.items() if k not in ("$skip", "$top")}
    params["$top"] = str(options.top)
    params["$skip"] = str(options.skip + options.top)
    query = urlencode(params, safe="$(),;/'")
    return f"{url}?{query}"


def _sort_key(values: list[Any]) -> tuple[int, Any]:
    value = values[0] if values else None
    if isinstance(value, tuple):
        value = value[0]
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, datetime):
        return (3, value.timestamp())
    if isinstance(value, str):
        return (4, value)
    return (5, repr(value))
