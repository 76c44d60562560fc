"""What a Lynx installation holds, from its devices and function types (two requests):
a type's count is the number of its devices; its attributes are the function types
(``meta.type``) its devices' functions have and the config maps, in the unit the
adapter delivers (the data model's); a function whose ``meta.unit`` cannot be
converted into it gives no attribute (the adapter leaves its values out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from adapters.discovery import DiscoveryQuery, DiscoveryResult, TypeInfo
from adapters.lynx.config import LynxConfig
from adapters.lynx.installation import Station, stations
from adapters.sdk.client import PlatformClient
from adapters.sdk.models import with_date_observed
from adapters.sdk.unit_codes import deliverable, described


async def discover(
    client: PlatformClient, config: LynxConfig, query: DiscoveryQuery
) -> DiscoveryResult:
    """The asked types the config maps, as the installation's devices have them."""
    asked = [t for t in query.entity_types if t in config.types]
    if not asked:
        return DiscoveryResult([])
    iid = str(config.installation_id)
    devices, functions = await asyncio.gather(
        client.get_json(config.api("v2", "devicex", iid)),
        client.get_json(config.api("v2", "functionx", iid)),
    )
    return DiscoveryResult(
        [
            _type_info(t, stations(config, t, config.types[t], devices.data, functions.data))
            for t in asked
        ]
    )


def _type_info(entity_type: str, found: Sequence[Station]) -> TypeInfo:
    names = {
        reading.attribute
        for station in found
        for reading in station.readings
        if deliverable(entity_type, reading.attribute, None if reading.message else reading.unit)
    }
    return TypeInfo(
        entity_type, len(found), described(entity_type, with_date_observed(entity_type, names))
    )
