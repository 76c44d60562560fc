"""Collections in SensorThings answers: a page's ``value``, ``@iot.count``, ``@iot.nextLink``,
and expanded collections followed through their own ``<Name>@iot.nextLink``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yarl import URL

from adapters.errors import UpstreamProtocolError
from adapters.sdk.client import PlatformClient


def page_of(data: object) -> tuple[list[Any], int | None, str | None]:
    """``value``, ``@iot.count`` and ``@iot.nextLink`` of a collection answer."""
    if not isinstance(data, Mapping) or not isinstance(data.get("value"), list):
        raise UpstreamProtocolError("expected a SensorThings collection: an object with 'value'")
    count = data.get("@iot.count")
    link = data.get("@iot.nextLink")
    return (
        data["value"],
        count if isinstance(count, int) and not isinstance(count, bool) else None,
        link if isinstance(link, str) and link else None,
    )


async def expanded(
    client: PlatformClient, parent: object, name: str, current: URL, *, most: int = 100_000
) -> list[Any]:
    """``parent[name]`` (an expanded collection) and the pages after it, up to ``most`` items.

    Next links are followed only to the configured server.
    """
    if not isinstance(parent, Mapping):
        raise UpstreamProtocolError(f"an entity holding {name} is not a JSON object")
    found = parent.get(name, [])
    if not isinstance(found, list):
        raise UpstreamProtocolError(f"{name} of an entity is not an array")
    items = list(found)
    link = parent.get(f"{name}@iot.nextLink")
    while isinstance(link, str) and link and len(items) < most:
        current = client.follow(link, current)
        more, _, link = page_of((await client.get_json(current)).data)
        items.extend(more)
    return items[:most]
