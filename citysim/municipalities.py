"""The 18 municipalities of the federation, from ``data/municipalities.csv``."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass

from citysim.resources import read_text


@dataclass(frozen=True, slots=True)
class Municipality:
    """One city: its id (lower-case ASCII), names, and the WGS84 position of its centre."""

    id: str
    name: str
    kommunkod: str
    county: str
    lat: float
    lon: float


@functools.cache
def municipalities() -> tuple[Municipality, ...]:
    """All municipalities, in file order (which fixes the ports of ``base_port``)."""
    rows = csv.DictReader(io.StringIO(read_text("municipalities.csv")))
    return tuple(
        Municipality(
            id=row["id"],
            name=row["name"],
            kommunkod=row["kommunkod"],
            county=row["county"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
        )
        for row in rows
    )


def select(ids: tuple[str, ...] | None) -> tuple[tuple[int, Municipality], ...]:
    """``(position in the file, municipality)`` of ``ids`` (None: all); unknown ids: ValueError."""
    everything = municipalities()
    if ids is None:
        return tuple(enumerate(everything))
    by_id = {m.id: (i, m) for i, m in enumerate(everything)}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        known = ", ".join(by_id)
        raise ValueError(f"unknown city id {unknown[0]!r} (known: {known})")
    return tuple(by_id[i] for i in dict.fromkeys(ids))
