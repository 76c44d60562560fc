"""A citysim NGSI-LD broker with an empty world, for the suite to create its own entities."""

from __future__ import annotations

import time

from aiohttp import web

from citysim.municipalities import municipalities
from citysim.ngsi_ld.app import Broker, create_app
from citysim.ngsi_ld.dialect import Dialect
from citysim.settings import HOST
from citysim.world.city import CityWorld

TEMPORAL_LIMIT = 10
"""Instances per attribute in one temporal answer: low enough for the suite's pagination
tests (20 instances per attribute) to see 206 answers, as Stellio's own tests set 5."""


async def start_broker(dialect: Dialect = "scorpio") -> tuple[web.AppRunner, str]:
    """A running broker on a free loopback port, and its ``/ngsi-ld/v1`` URL."""
    city = municipalities()[0]
    world = CityWorld(city, seed=0, per_type=0, bucket_s=60.0, clock=time.time)
    runner = web.AppRunner(
        create_app(Broker(world, "unified", dialect, temporal_limit=TEMPORAL_LIMIT)),
        access_log=None,
    )
    await runner.setup()
    site = web.TCPSite(runner, HOST, 0)
    await site.start()
    return runner, f"http://{HOST}:{site.port}/ngsi-ld/v1"
