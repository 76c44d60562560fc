"""Run the simulated cities: ``SimCluster`` in an event loop, ``SimThread`` beside other code.

::

    async with SimCluster(SimSettings(seed=1)) as sim:
        sim.urls["malmo"]        # http://127.0.0.1:PORT
        sim.control_url          # the fault control API

    with SimThread(SimSettings(seed=1)) as sim:   # its own thread and event loop
        sim.set_fault("malmo", "slow", delay_s=1.5)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from citysim.control import create_control_app
from citysim.faults import parse_fault
from citysim.municipalities import select
from citysim.ngsi_ld.app import Broker
from citysim.ngsi_ld.dialect import TEMPORAL_LIMITS, TYPED_Q, dialect_for
from citysim.protection import parse_protection
from citysim.server import SHUTDOWN_TIMEOUT_S, CityServer
from citysim.settings import HOST, SimSettings
from citysim.shortfalls import parse_shortfalls
from citysim.staggered_ticks import tick_staggered
from citysim.world.city import CityWorld

__all__ = ["SimCluster", "SimSettings", "SimThread"]


def _broker(world: CityWorld, settings: SimSettings, city_id: str) -> Broker:
    dialect = dialect_for(city_id, settings.city_dialect)
    return Broker(
        world,
        settings.context_style_for(city_id),
        dialect,
        temporal_limit=settings.city_temporal_limit.get(city_id, TEMPORAL_LIMITS[dialect]),
        typed_q=TYPED_Q[dialect],
    )


class SimCluster:
    """Every selected city on its own port, plus the control API, in the running event loop."""

    def __init__(self, settings: SimSettings | None = None) -> None:
        self.settings = settings or SimSettings()
        self.servers: dict[str, CityServer] = {}
        self._control: web.AppRunner | None = None
        self._control_port = self.settings.control_port
        self._ticker: asyncio.Task[None] | None = None

    @property
    def urls(self) -> dict[str, str]:
        """City id -> base URL (``http://127.0.0.1:PORT``), in municipalities.csv order."""
        return {city_id: server.base_url for city_id, server in self.servers.items()}

    @property
    def control_url(self) -> str:
        """Base URL of the fault control API."""
        if self._control is None:
            raise RuntimeError("the cluster is not running")
        return f"http://{HOST}:{self._control_port}"

    async def start(self) -> None:
        """Start every city and the control API; on failure nothing is left running."""
        settings = self.settings
        selected = select(settings.cities)
        names = {city.id for _, city in selected}
        options = (
            settings.city_latency_s,
            settings.city_context_style,
            settings.protection,
            settings.city_dialect,
            settings.city_temporal_limit,
            settings.city_mqtt_url,
        )
        for option in options:
            unknown = sorted(set(option) - names)
            if unknown:
                raise ValueError(f"settings name city {unknown[0]!r}, which is not running")
        for position, city in selected:
            world = CityWorld(
                city,
                seed=settings.seed,
                per_type=settings.entities_per_type,
                bucket_s=settings.bucket_s,
                clock=settings.clock,
            )
            self.servers[city.id] = CityServer(
                city,
                _broker(world, settings, city.id),
                port=settings.base_port + position if settings.base_port else 0,
                latency_s=settings.latency_for(city.id),
                sensorthings_dialect=settings.sensorthings_dialect_for(city.id),
                shortfalls=parse_shortfalls(settings.shortfalls.get(city.id, {})),
                mqtt_url=settings.mqtt_url_for(city.id),
            )
            if city.id in settings.protection:
                self.servers[city.id].gate.set(parse_protection(settings.protection[city.id]))
        try:
            await asyncio.gather(*(server.start() for server in self.servers.values()))
            self._control = web.AppRunner(
                create_control_app(self.servers),
                access_log=None,
                shutdown_timeout=SHUTDOWN_TIMEOUT_S,
            )
            await self._control.setup()
            site = web.TCPSite(self._control, HOST, settings.control_port, reuse_address=True)
            await site.start()
            self._control_port = site.port
            if settings.stagger:
                feeds = {city_id: server.changes for city_id, server in self.servers.items()}
                self._ticker = asyncio.create_task(
                    tick_staggered(feeds, settings.bucket_s, settings.clock)
                )
            elif settings.tick_s > 0:
                self._ticker = asyncio.create_task(self._tick_every(settings.tick_s))
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the ticker, the control API and every city."""
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        if self._control is not None:
            await self._control.cleanup()
            self._control = None
        await asyncio.gather(*(server.stop() for server in self.servers.values()))

    async def tick(self, *, force: bool = False) -> int:
        """Every city pushes what changed (everything with ``force``); messages sent."""
        return sum([await server.changes.tick(force=force) for server in self.servers.values()])

    async def _tick_every(self, period_s: float) -> None:
        while True:
            await asyncio.sleep(period_s)
            await self.tick()

    async def set_fault(self, city_id: str, mode: str, **params: Any) -> None:
        """What ``PUT /cities/{city_id}/fault`` does; raises KeyError or FaultError."""
        await self._server(city_id).set_fault(parse_fault({"mode": mode, **params}))

    async def heal(self, city_id: str) -> None:
        """What ``DELETE /cities/{city_id}/fault`` does."""
        await self._server(city_id).set_fault(None)

    def _server(self, city_id: str) -> CityServer:
        try:
            return self.servers[city_id]
        except KeyError:
            raise KeyError(
                f"unknown city {city_id!r} (running: {', '.join(self.servers)})"
            ) from None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


class SimThread:
    """A SimCluster in a background thread with its own event loop (for pytest and the demo).

    ``start`` blocks until every city listens, and raises what stopped them from
    starting; ``stop`` shuts them down and joins the thread.
    """

    def __init__(self, settings: SimSettings | None = None, *, timeout_s: float = 30.0) -> None:
        self.cluster = SimCluster(settings)
        self.timeout_s = timeout_s
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()

    @property
    def urls(self) -> Mapping[str, str]:
        """City id -> base URL."""
        self._check_running()
        return self.cluster.urls

    @property
    def control_url(self) -> str:
        """Base URL of the fault control API."""
        self._check_running()
        return self.cluster.control_url

    def start(self) -> Self:
        """Start the cities in the background; returns once they all listen."""
        if self._thread is not None:
            raise RuntimeError("SimThread can only be started once")
        self._thread = threading.Thread(target=self._run, name="citysim", daemon=True)
        self._thread.start()
        try:
            self._ready.result(self.timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the cities and join the thread; safe to call more than once."""
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                loop.call_soon_threadsafe(stopping.set)
        if self._thread is not None:
            self._thread.join(self.timeout_s)

    def set_fault(self, city_id: str, mode: str, **params: Any) -> None:
        """Switch a fault on (see ``SimCluster.set_fault``)."""
        self._call(self.cluster.set_fault(city_id, mode, **params))

    def heal(self, city_id: str) -> None:
        """Heal a city."""
        self._call(self.cluster.heal(city_id))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        await self.cluster.start()
        self._ready.set_result(None)
        try:
            await self._stopping.wait()
        finally:
            await self.cluster.stop()

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._check_running()
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(self.timeout_s)

    def _check_running(self) -> None:
        alive = self._thread is not None and self._thread.is_alive()
        if not alive or not self._ready.done() or self._ready.exception() is not None:
            raise RuntimeError(
                "SimThread is not running; call start() or use it as a context manager"
            )
