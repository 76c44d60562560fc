"""Faults a simulated city can be told to have, by name; one class per mode.

To add a mode, write a ``Fault`` subclass in ``modes.py`` and list it in ``MODES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from citysim.faults.base import Fault, FaultError, Socket
from citysim.faults.modes import (
    Down,
    Error,
    Flapping,
    Garbage,
    Hang,
    Huge,
    RateLimited,
    Redirect,
    Slow,
    Trickle,
    Truncated,
    WrongContentType,
)

MODES: Mapping[str, type[Fault]] = {
    cls.mode: cls
    for cls in (
        Down,
        Hang,
        Slow,
        Error,
        Garbage,
        RateLimited,
        Trickle,
        Truncated,
        WrongContentType,
        Huge,
        Redirect,
        Flapping,
    )
}


def parse_fault(body: Any) -> Fault:
    """The fault a control request's JSON body asks for; raises FaultError saying what is wrong."""
    if not isinstance(body, dict):
        raise FaultError('the body must be a JSON object such as {"mode": "down"}')
    params = dict(body)
    mode = params.pop("mode", None)
    if not isinstance(mode, str):
        raise FaultError(f'"mode" is missing or not a string (modes: {", ".join(MODES)})')
    cls = MODES.get(mode)
    if cls is None:
        raise FaultError(f"unknown mode {mode!r} (modes: {', '.join(MODES)})")
    return cls.parse(params)


__all__ = ["MODES", "Fault", "FaultError", "Socket", "parse_fault"]
