"""Where a city goes on the status page's map of Sweden (``page/sweden.svg``).

An equirectangular projection at 62 degrees north, good enough for one country:
the outline in the SVG was projected with the same constants. Positions come
from ``page/positions.csv`` (kommunkod, lat, lon); a city not listed
there is shown in the table only.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).with_name("page")
LON0 = 10.5
LAT1 = 69.5
SCALE = 40.0
K = math.cos(math.radians(62.0))
WIDTH = round((24.5 - LON0) * K * SCALE)
HEIGHT = round((LAT1 - 55.0) * SCALE)


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG user units of the map (``0 0 WIDTH HEIGHT``) for a WGS84 position."""
    return (round((lon - LON0) * K * SCALE, 1), round((LAT1 - lat) * SCALE, 1))


@cache
def positions() -> dict[str, tuple[float, float]]:
    """kommunkod -> (lat, lon) of the municipalities the package knows."""
    with (ASSETS / "positions.csv").open(encoding="utf-8") as f:
        return {
            row["kommunkod"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(f)
        }


def place(kommunkod: str) -> tuple[float, float] | None:
    """Map coordinates of a municipality, or None when its position is not known."""
    position = positions().get(kommunkod)
    return project(*position) if position is not None else None
