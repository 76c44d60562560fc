"""``SimSettings``: how the simulated platforms run (seed, size, ports, latency, clock)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from citysim.protection import ProtectionError, parse_protection
from citysim.shortfalls import ShortfallError, parse_shortfalls

if TYPE_CHECKING:
    from citysim.sensorthings.dialect import Dialect

HOST = "127.0.0.1"
"""Every simulated platform listens on loopback only."""

DEFAULT_BASE_PORT = 9101
"""First city's port when running the demo (the N-th city of municipalities.csv: 9100+N)."""
DEFAULT_CONTROL_PORT = 9100
"""Port of the fault control API when running the demo."""

Clock = Callable[[], float]
"""Seconds since the Unix epoch, like ``time.time``."""

ContextStyle = Literal["unified", "domain"]
"""Which @context a city's entities were created with.

``unified``: the Smart Data Models unified context (https://smartdatamodels.org/context.jsonld)
for every type. ``domain``: each type's own data-model context, as the examples declare
(e.g. ``dataModel.Weather`` for WeatherObserved).
"""
CONTEXT_STYLES: tuple[ContextStyle, ...] = ("unified", "domain")


@dataclass(frozen=True, slots=True)
class SimSettings:
    """Settings of a ``SimCluster``; every field has a default that suits tests.

    Values and observation times are a pure function of (``seed``, city, entity,
    time bucket), the bucket being ``floor(clock() / bucket_s)``.
    """

    host: ClassVar[str] = HOST

    seed: int = 0
    entities_per_type: int = 12
    """Entities of each of the 7 types in every city."""
    latency_s: float = 0.0
    """Added before every answer of every city."""
    city_latency_s: Mapping[str, float] = field(default_factory=dict)
    """Per-city override of ``latency_s``."""
    base_port: int = 0
    """0: ephemeral ports; else the N-th city of municipalities.csv listens on base_port+N-1."""
    control_port: int = 0
    """Port of the fault control API; 0: ephemeral."""
    cities: tuple[str, ...] | None = None
    """Run only these city ids (None: all 18)."""
    bucket_s: float = 60.0
    """Length of a time bucket: values change from one bucket to the next, never within."""
    clock: Clock = time.time
    tick_s: float = 0.0
    """Every ``tick_s`` seconds each city pushes what changed on its push channels
    (``citysim.changes``); 0: only when the control API's ``POST /tick`` asks."""
    stagger: bool = False
    """Each city pushes its changes at its own moment of the bucket, not all at the edge
    (``citysim.staggered_ticks``; the live bench's world); replaces ``tick_s``."""
    mqtt_url: str | None = None
    """``mqtt://[user:password@]host:port`` of the MQTT broker the SensorThings and Lynx
    simulators publish to; None: they publish nothing."""
    city_mqtt_url: Mapping[str, str] = field(default_factory=dict)
    """Per-city override of ``mqtt_url``: as in a real federation, each city's platform
    publishes to its own broker (the same topics on two cities' brokers are two things)."""
    context_style: ContextStyle = "unified"
    city_context_style: Mapping[str, ContextStyle] = field(default_factory=dict)
    """Per-city override of ``context_style``."""
    protection: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """City id -> what it asks of callers (``citysim.protection``); others are open."""
    sensorthings_dialect: Mapping[str, str] = field(default_factory=dict)
    """City id -> ``frost`` or ``istsos4`` (``citysim.sensorthings.dialect``); others as the
    demo has them (Linköping istSOS4, the rest FROST)."""
    city_dialect: Mapping[str, str] = field(default_factory=dict)
    """City id -> the NGSI-LD broker it imitates (``citysim.ngsi_ld.dialect``: scorpio,
    orion-ld, stellio, mintaka, diwise); others: sundsvall diwise, the rest scorpio."""
    city_temporal_limit: Mapping[str, int] = field(default_factory=dict)
    """City id -> instances per attribute in one temporal answer (206 beyond); default:
    its dialect's (Stellio's documented 10 000)."""
    shortfalls: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """City id -> how its platform falls short of the minimum framework (``citysim.shortfalls``)."""

    def __post_init__(self) -> None:
        if not 0 <= self.entities_per_type <= 1_000_000:
            raise ValueError(
                f"entities_per_type must be in 0..1000000, got {self.entities_per_type}"
            )
        for name, value in (("latency_s", self.latency_s), *self.city_latency_s.items()):
            if not value >= 0:
                raise ValueError(f"latency of {name} must be >= 0 seconds, got {value!r}")
        for name, port in (("base_port", self.base_port), ("control_port", self.control_port)):
            if not 0 <= port <= 65535:
                raise ValueError(f"{name} must be in 0..65535, got {port}")
        if not self.bucket_s > 0:
            raise ValueError(f"bucket_s must be > 0, got {self.bucket_s!r}")
        for style in (self.context_style, *self.city_context_style.values()):
            if style not in CONTEXT_STYLES:
                raise ValueError(f"context style must be one of {CONTEXT_STYLES}, got {style!r}")
        for city_id, dialect in self.sensorthings_dialect.items():
            if dialect not in ("frost", "istsos4"):
                raise ValueError(
                    f"SensorThings dialect of {city_id} must be frost or istsos4, got {dialect!r}"
                )
        from citysim.ngsi_ld.dialect import DIALECTS

        for city_id, dialect in self.city_dialect.items():
            if dialect not in DIALECTS:
                raise ValueError(
                    f"dialect of {city_id} must be one of {', '.join(DIALECTS)}, got {dialect!r}"
                )
        for city_id, limit in self.city_temporal_limit.items():
            if not 1 <= limit <= 1_000_000:
                raise ValueError(f"temporal limit of {city_id} must be in 1..1000000, got {limit}")
        for city_id, spec in self.protection.items():
            try:
                parse_protection(spec)
            except ProtectionError as exc:
                raise ValueError(f"protection of {city_id}: {exc}") from None
        for city_id, spec in self.shortfalls.items():
            try:
                parse_shortfalls(spec)
            except ShortfallError as exc:
                raise ValueError(f"shortfalls of {city_id}: {exc}") from None

    @classmethod
    def from_env(cls, **overrides: object) -> SimSettings:
        """Demo defaults: ports from ``CAAP_SIM_BASE_PORT`` / ``CAAP_SIM_CONTROL_PORT``."""
        values: dict[str, object] = {
            "base_port": int(os.environ.get("CAAP_SIM_BASE_PORT", DEFAULT_BASE_PORT)),
            "control_port": int(os.environ.get("CAAP_SIM_CONTROL_PORT", DEFAULT_CONTROL_PORT)),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def latency_for(self, city_id: str) -> float:
        """The artificial latency of ``city_id`` in seconds."""
        return self.city_latency_s.get(city_id, self.latency_s)

    def mqtt_url_for(self, city_id: str) -> str | None:
        """The broker ``city_id``'s SensorThings or Lynx simulator publishes to, if any."""
        return self.city_mqtt_url.get(city_id, self.mqtt_url)

    def context_style_for(self, city_id: str) -> ContextStyle:
        """Which @context ``city_id`` created its entities with."""
        return self.city_context_style.get(city_id, self.context_style)

    def sensorthings_dialect_for(self, city_id: str) -> Dialect:
        """The dialect ``city_id``'s SensorThings server speaks."""
        from citysim.sensorthings.dialect import dialect_for_city

        chosen = self.sensorthings_dialect.get(city_id)
        if chosen is None:
            return dialect_for_city(city_id)
        return "istsos4" if chosen == "istsos4" else "frost"
