"""What a fault is: a way for a city to misbehave, chosen through the control API.

A fault is one small class: its ``mode`` name, the parameters it takes (checked by
``parse``; the default takes none), and hooks. ``respond`` wraps every HTTP request
while the fault is on; ``attach`` / ``detach`` run when it is switched on and off
(``down`` closes and reopens the listening socket there). Register a new class in
``citysim.faults.MODES``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol, Self

from aiohttp import web
from aiohttp.typedefs import Handler


class FaultError(ValueError):
    """A control request asks for a fault that cannot be: unknown mode, bad parameter."""


class Socket(Protocol):
    """The listening socket of a city, which some faults close and reopen."""

    async def close_socket(self) -> None:
        """Stop listening and drop open connections: clients get 'connection refused'."""
        ...

    async def open_socket(self) -> None:
        """Listen again, on the same port."""
        ...


class Fault:
    """One way to misbehave; instances hold the parameters of one control request."""

    mode: ClassVar[str]
    parameters: ClassVar[Mapping[str, str]] = {}
    """Parameter name -> what it means (defaults included), for the control API's listing."""

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> Self:
        """The fault for ``params`` (the JSON body without ``mode``); raises FaultError."""
        check_keys(cls.mode, params, cls.parameters)
        return cls()

    def describe(self) -> dict[str, Any]:
        """``{"mode": ..., parameters...}``, as the control API shows it."""
        return {"mode": self.mode}

    async def attach(self, socket: Socket) -> None:
        """Switched on."""

    async def detach(self, socket: Socket) -> None:
        """Switched off (healed); requests still waiting on the fault are released."""

    async def respond(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer ``request`` while the fault is on; ``handler`` gives the normal answer."""
        return await handler(request)


def check_keys(mode: str, params: Mapping[str, Any], allowed: Mapping[str, str]) -> None:
    """Refuse parameters ``mode`` does not take, naming those it does."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        takes = ", ".join(allowed) or "no parameters"
        raise FaultError(f"mode {mode!r} does not take {unknown[0]!r} (it takes: {takes})")


def number(params: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    """Parameter ``name`` as a finite number in [low, high]."""
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FaultError(f"{name} must be a number, got {value!r}")
    if not low <= value <= high:
        raise FaultError(f"{name} must be in {low}..{high}, got {value!r}")
    return float(value)


def integer(
    params: Mapping[str, Any], name: str, default: int | None, low: int, high: int
) -> int | None:
    """Parameter ``name`` as an integer in [low, high], or ``default`` when absent."""
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise FaultError(f"{name} must be in {low}..{high}, got {value!r}")
    return value
