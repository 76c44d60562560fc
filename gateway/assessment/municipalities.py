"""Municipality centres (WGS84) by kommunkod, from ``data/municipalities.csv``."""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path

CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"


@functools.cache
def centres() -> Mapping[str, tuple[float, float]]:
    """kommunkod -> (lat, lon) of the municipality's centre."""
    with CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["kommunkod"]: (float(row["lat"]), float(row["lon"]))
            for row in csv.DictReader(handle)
        }
