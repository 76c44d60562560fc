"""Read a running gateway's ``/metrics`` as a client (Prometheus scraper) would."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx

_SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def samples(url: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample of metric ``name``: sorted label pairs -> value."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        match = _SAMPLE.match(line)
        if match is None or match["name"] != name:
            continue
        labels = tuple(sorted(_LABEL.findall(match["labels"] or "")))
        found[labels] = float(match["value"])
    return found


def total(url: str, name: str, **labels: str) -> float:
    """The sum of ``name`` over the samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for k, v in samples(url, name).items() if wanted <= set(k))


def requests_per_city(url: str) -> dict[str, float]:
    """``caap_upstream_requests_total`` summed over outcomes, by city."""
    out: dict[str, float] = {}
    for labels, value in samples(url, "caap_upstream_requests_total").items():
        city = dict(labels)["city"]
        out[city] = out.get(city, 0.0) + value
    return out


def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Until ``condition()`` holds (it reads another process's state: polled, bounded)."""
    limit = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > limit:
            raise AssertionError("the condition did not come about in time")
        time.sleep(0.01)
