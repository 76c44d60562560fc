"""One simulated city on its own loopback port: its APIs, latency, current fault, protection
(``protection.py``) and request counts (``counting.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from citysim import ckan, dcat, lynx, rest_json, sensorthings, shortfalls
from citysim.changes import ChangeFeed
from citysim.counting import RequestCounter
from citysim.faults import Fault
from citysim.lynx.publish import StatusPublisher
from citysim.mqtt import MqttLink
from citysim.municipalities import Municipality
from citysim.ngsi_ld import subscription_routes
from citysim.ngsi_ld.app import Broker, create_app
from citysim.ngsi_ld.subscriptions import Subscriptions
from citysim.protection import Gate
from citysim.sensorthings import Dialect
from citysim.sensorthings.publish import ObservationPublisher
from citysim.settings import HOST
from citysim.shortfalls import NONE, Shortfalls
from citysim.world.city import CityWorld

SHUTDOWN_TIMEOUT_S = 1.0
"""How long stopping waits for requests still being answered."""


class CityServer:
    """An aiohttp site per city, so one can fail (even stop listening) while the others serve."""

    def __init__(
        self,
        city: Municipality,
        broker: Broker,
        *,
        port: int = 0,
        latency_s: float = 0.0,
        sensorthings_dialect: Dialect = "frost",
        shortfalls: Shortfalls = NONE,
        mqtt_url: str | None = None,
    ) -> None:
        self.city = city
        self.sensorthings_dialect: Dialect = sensorthings_dialect
        self.broker = broker
        self.latency_s = latency_s
        self.shortfalls = shortfalls
        """How the platform falls short of the minimum framework (none by default)."""
        self.port = port
        """Requested port until started (0: ephemeral); then the bound one, kept across ``down``."""
        self.fault: Fault | None = None
        self.gate = Gate()
        """Who may ask (open to all unless protected)."""
        self.requests = RequestCounter()
        """Every request that reached the city, by entity type where the protocol names it."""
        self.subscriptions = Subscriptions(broker.style)
        """The NGSI-LD subscriptions the broker accepted."""
        self._notifier = subscription_routes.Notifier(self.subscriptions, broker.dialect)
        self.changes = ChangeFeed(broker.world, lambda: self.fault)
        """The city's push channels; ``tick`` pushes what changed."""
        self.changes.listen(self.subscriptions.watched_types, self._notifier.notify)
        self._mqtt = MqttLink(mqtt_url, f"citysim-{city.id}") if mqtt_url else None
        """Where the SensorThings and Lynx simulators publish (None: nowhere)."""
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._stopping = False
        self._lock = asyncio.Lock()

    @property
    def world(self) -> CityWorld:
        """The city's entities."""
        return self.broker.world

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; the NGSI-LD API is under ``/ngsi-ld/v1/``."""
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        """Listen; afterwards ``port`` is the bound port."""
        app = create_app(
            self.broker,
            middlewares=[
                self.requests.middleware,
                self._fault_middleware,
                self._latency_middleware,
                self.gate.middleware,
                *([shortfalls.middleware(self.shortfalls)] if self.shortfalls.any() else []),
            ],
        )
        self.gate.mount(app)
        if not self.shortfalls.no_push:
            subscription_routes.add_routes(app, self.subscriptions)
        rest_json.mount(app, self.world, rest_json.style_for_city(self.city.id))
        ckan.mount(app, self.city, self.world.seed)
        dcat.mount(app, self.city, self.world.seed)
        sensorthings.mount(app, self.world, self.sensorthings_dialect)
        lynx.mount(app, self.world)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=SHUTDOWN_TIMEOUT_S
        )
        await self._runner.setup()
        await self.open_socket()
        if self._mqtt is not None and not self.shortfalls.no_push:
            # after binding: an Observation links to the bound port
            observations = ObservationPublisher(
                self.world, self._mqtt, self.base_url, self.sensorthings_dialect
            )
            self.changes.listen(observations.watched, observations.publish)
            statuses = StatusPublisher(self.world, self._mqtt)
            self.changes.listen(statuses.watched, statuses.publish)

    async def stop(self) -> None:
        """Heal (without listening again), then stop listening and close every connection."""
        self._stopping = True
        await self.set_fault(None)
        await self._notifier.aclose()
        if self._mqtt is not None:
            await self._mqtt.aclose()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def set_fault(self, fault: Fault | None) -> None:
        """Switch to ``fault`` (None heals); the previous fault is switched off first."""
        async with self._lock:
            previous, self.fault = self.fault, None
            if previous is not None:
                await previous.detach(self)
            if fault is not None:
                await fault.attach(self)
            self.fault = fault

    async def open_socket(self) -> None:
        """Listen on ``port`` (the same one again after ``close_socket``)."""
        if self._runner is None or self._site is not None or self._stopping:
            return
        site = web.TCPSite(self._runner, HOST, self.port, reuse_address=True)
        await site.start()
        self._site, self.port = site, site.port

    async def close_socket(self) -> None:
        """Stop listening and drop every open connection: clients are refused."""
        site, self._site = self._site, None
        if site is not None:
            await site.stop()
        if self._runner is not None and self._runner.server is not None:
            for connection in self._runner.server.connections:
                connection.force_close()

    def describe(self) -> dict[str, Any]:
        """What the control API shows about this city."""
        return {
            "id": self.city.id,
            "name": self.city.name,
            "url": self.base_url,
            "listening": self._site is not None,
            "fault": self.fault.describe() if self.fault is not None else None,
            "protection": self.gate.describe(),
            "requests": self.requests.describe(),
            "subscriptions": len(self.subscriptions.active()),
        }

    @web.middleware
    async def _fault_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        fault = self.fault
        if fault is None:
            return await handler(request)
        return await fault.respond(request, handler)

    @web.middleware
    async def _latency_middleware(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        if self.latency_s > 0:
            await asyncio.sleep(self.latency_s)
        return await handler(request)
