"""The geo push-down: which Things stand in an area, asked of ``/Locations``.

``geo.intersects(location, geography'POLYGON(...)')`` on a Location's own
``location`` is the form both FROST and istSOS4 take (istSOS4 refuses a geo
function on a navigation path such as ``Locations/location`` on Things).
"""

from __future__ import annotations

from collections.abc import Mapping

from yarl import URL

from adapters.contract import BBox
from adapters.errors import UpstreamProtocolError
from adapters.sdk.client import PlatformClient
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.query import MAX_GEO_THINGS, locations_params


async def things_in_area(client: PlatformClient, root: URL, box: BBox) -> set[int] | None:
    """Ids of the Things located in ``box``; None when more than ``MAX_GEO_THINGS``."""
    url = (root / "Locations").with_query(locations_params(box))
    ids: set[int] = set()
    while True:
        locations, _, link = page_of((await client.get_json(url)).data)
        for location in locations:
            for thing in await expanded(client, location, "Things", url):
                thing_id = thing.get("@iot.id") if isinstance(thing, Mapping) else None
                if isinstance(thing_id, bool) or not isinstance(thing_id, int):
                    raise UpstreamProtocolError("a Location's Thing has no integer @iot.id")
                ids.add(thing_id)
        if len(ids) > MAX_GEO_THINGS:
            return None
        if link is None:
            return ids
        url = client.follow(link, url)
