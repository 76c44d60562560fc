"""Read one value from a running gateway's ``/metrics``."""

from __future__ import annotations

import httpx


def metric(url: str, sample: str) -> float | None:
    """The value of the sample whose name and labels read exactly ``sample``, or None."""
    for line in httpx.get(f"{url}/metrics", timeout=5).text.splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            return float(value)
    return None
