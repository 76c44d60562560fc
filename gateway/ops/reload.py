"""Hot reload: a changed federation file is validated, built and swapped in atomically.

The new runtime (adapters, authenticator, city objects) is built next to the old
one, then swapped in between two requests; the old one is closed once every
request that may hold it has finished. A file that does not validate or build
leaves the old federation serving and is logged with its problems. Triggers:
``SIGHUP``, ``POST /admin/reload`` (``caap reload``) and watching the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import Counter

from adapters.errors import AdapterError
from adapters.registry import AdapterRegistry
from gateway.auth import Authenticator
from gateway.federation import Federation, FederationError, load_federation
from gateway.graphql.schema.types import City
from gateway.ops.inflight import InFlight
from gateway.ops.operations_metrics import OpsMetrics
from gateway.ops.status.city_health import CityHealth
from gateway.process.runtime import Runtime
from gateway.process.state import GatewayState

log = logging.getLogger("caap.reload")


@dataclass(frozen=True, slots=True)
class ServedFederation:
    """What requests read from the state for one federation; swapped as a whole."""

    runtime: Runtime
    authenticator: Authenticator
    cities: Mapping[str, City]

    async def aclose(self) -> None:
        """Close the adapters and the authenticator's session."""
        await self.runtime.aclose()
        await self.authenticator.aclose()


Builder = Callable[[Federation], ServedFederation]
"""Builds what a federation needs to serve (called in the event loop)."""


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """``outcome``: applied, unchanged or rejected; ``problems`` say why it was rejected."""

    outcome: str
    source: str
    cities: int
    problems: tuple[str, ...] = ()


@dataclass(slots=True)
class _Fingerprint:
    digest: str = ""
    stat: tuple[int, int, int] = (0, 0, 0)
    loaded_at: float = field(default_factory=time.time)


class Reloader:
    """Owns the swap of ``state``'s serving objects for the federation file at ``path``."""

    def __init__(
        self,
        state: GatewayState,
        path: str,
        registry: AdapterRegistry,
        build: Builder,
        inflight: InFlight,
        metrics: OpsMetrics,
        health: CityHealth,
        internal_errors: Counter | None = None,
    ) -> None:
        self._state = state
        self.path = path
        self._registry = registry
        self._build = build
        self._inflight = inflight
        self._metrics = metrics
        self._health = health
        self._internal_errors = internal_errors
        """``caap_internal_errors_total``: a reload stopped by a gateway bug is counted."""
        self._serving: ServedFederation | None = None
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()
        self.fingerprint = _Fingerprint()

    @property
    def loaded_at(self) -> float:
        """When the federation in force was loaded (Unix time)."""
        return self.fingerprint.loaded_at

    def install(self, federation: Federation) -> None:
        """Serve ``federation`` (the first one; raises what building raises)."""
        self._swap(self._build(federation), federation, _fingerprint(self.path))

    async def reload(self) -> ReloadResult:
        """Load the file again; swap when it changed and is valid. Never raises."""
        async with self._lock:
            return await self._reload()

    async def _reload(self) -> ReloadResult:
        current = len(self._state.cities)
        try:
            seen = await asyncio.to_thread(_fingerprint, self.path)
        except OSError as exc:
            return self._rejected((f"{self.path}: cannot be read: {exc.strerror or exc}",), current)
        if seen.digest == self.fingerprint.digest:
            self.fingerprint.stat = seen.stat
            self._metrics.reloads.labels("unchanged").inc()
            return ReloadResult("unchanged", self.path, current)
        try:
            federation = await asyncio.to_thread(load_federation, self.path, self._registry)
            serving = self._build(federation)
        except FederationError as exc:
            self.fingerprint.stat = seen.stat  # do not retry the same bad file on every tick
            return self._rejected(tuple(str(p) for p in exc.problems), current)
        except (AdapterError, ValueError, OSError) as exc:
            # an adapter or authenticator that could not be built from this file
            self.fingerprint.stat = seen.stat
            return self._rejected((f"{self.path}: {type(exc).__name__}: {exc}",), current)
        except Exception as exc:  # a gateway bug: the old federation keeps serving, loudly
            self.fingerprint.stat = seen.stat
            log.exception("federation reload failed inside the gateway")
            if self._internal_errors is not None:
                self._internal_errors.labels("reload").inc()
            problem = f"{self.path}: a gateway bug stopped the reload ({type(exc).__name__}: {exc})"
            return self._rejected((problem,), current)
        self._swap(serving, federation, seen)
        self._metrics.reloads.labels("applied").inc()
        log.info(
            "federation reloaded: %d cities from %s",
            len(federation.cities),
            self.path,
            extra={"fields": {"event": "reload", "outcome": "applied"}},
        )
        return ReloadResult("applied", self.path, len(federation.cities))

    def _rejected(self, problems: tuple[str, ...], cities: int) -> ReloadResult:
        self._metrics.reloads.labels("rejected").inc()
        log.error(
            "federation reload refused, the previous federation keeps serving:\n  %s",
            "\n  ".join(problems),
            extra={"fields": {"event": "reload", "outcome": "rejected", "problems": problems}},
        )
        return ReloadResult("rejected", self.path, cities, problems)

    def _swap(self, serving: ServedFederation, federation: Federation, seen: _Fingerprint) -> None:
        old = self._serving
        state = self._state
        state.runtime, state.authenticator, state.cities = (
            serving.runtime,
            serving.authenticator,
            serving.cities,
        )
        self._serving = serving
        ended = self._inflight.advance()
        self.fingerprint = seen
        self._health.retain(federation.cities)
        self._metrics.federation_cities.set(len(federation.cities))
        self._metrics.federation_loaded.set(seen.loaded_at)
        if old is not None and state.live is not None:
            state.live.retire(old.runtime)  # its subscriptions end with a reason
        if old is not None:
            task = asyncio.get_running_loop().create_task(self._close_after(old, ended))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _close_after(self, old: ServedFederation, generation: int) -> None:
        await self._inflight.drained(generation)
        try:
            await old.aclose()
        except Exception:
            log.exception("closing the previous federation's runtime failed")
        else:
            log.info("previous federation closed after its requests finished")

    async def aclose(self) -> None:
        """Stop serving: close the current runtime and any still waiting to close."""
        state = self._state
        state.runtime, state.authenticator = None, None
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        if self._serving is not None:
            await self._serving.aclose()
            self._serving = None
            log.info("federation closed: every city's HTTP session is closed")

    @contextlib.asynccontextmanager
    async def triggers(self, watch_s: float) -> AsyncIterator[None]:
        """Reload on SIGHUP (main thread only) and, when ``watch_s`` > 0, on file changes."""
        loop = asyncio.get_running_loop()
        background: set[asyncio.Task[ReloadResult]] = set()

        def on_sighup() -> None:
            log.info("SIGHUP: reloading %s", self.path)
            task = loop.create_task(self.reload())
            background.add(task)
            task.add_done_callback(background.discard)

        try:
            loop.add_signal_handler(signal.SIGHUP, on_sighup)
            handles_sighup = True
        except (ValueError, RuntimeError, NotImplementedError, AttributeError):
            handles_sighup = False  # not the main thread (tests), or no SIGHUP (Windows)
        watcher = loop.create_task(self._watch(watch_s)) if watch_s > 0 else None
        try:
            yield
        finally:
            if handles_sighup:
                loop.remove_signal_handler(signal.SIGHUP)
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
            for task in background:
                task.cancel()

    async def _watch(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                stat = _stat(self.path)
            except OSError:
                continue  # being replaced; look again on the next tick
            if stat != self.fingerprint.stat:
                await self.reload()


def _stat(path: str) -> tuple[int, int, int]:
    info = os.stat(path)
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _fingerprint(path: str) -> _Fingerprint:
    stat = _stat(path)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return _Fingerprint(digest, stat)
