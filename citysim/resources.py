"""Read the files under ``citysim/data`` (package data, never written)."""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Any

import orjson


def read_text(path: str) -> str:
    """The UTF-8 text of ``data/<path>``."""
    return (files("citysim") / "data" / path).read_text(encoding="utf-8")


@functools.cache
def read_json(path: str) -> Any:
    """The parsed JSON of ``data/<path>``, parsed once per process; treat it as read-only."""
    return orjson.loads((files("citysim") / "data" / path).read_bytes())
