"""Helpers of the citysim tests: HTTP against a running SimCluster, a manual clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy

from citysim.cluster import SimCluster
from citysim.jsonld import JSONLD_CONTEXT_REL, UNIFIED_CONTEXT_URL

NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=UTC).timestamp()
"""The clock of the test cities: 30 s into the bucket starting 10:00:00Z (60 s buckets)."""
ENTITIES = "/ngsi-ld/v1/entities"


def link(url: str = UNIFIED_CONTEXT_URL) -> dict[str, str]:
    """A JSON-LD context Link header naming ``url``."""
    return {"Link": f'<{url}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'}


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, read completely."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def links(self) -> list[str]:
        return self.headers.getall("Link", [])


class Ngsi:
    """GETs against the cities of a cluster."""

    def __init__(self, cluster: SimCluster, session: aiohttp.ClientSession) -> None:
        self.cluster = cluster
        self.session = session

    async def get(
        self,
        city: str = "malmo",
        path: str = ENTITIES,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        url = self.cluster.urls[city] + path
        async with self.session.get(url, params=params, headers=headers) as response:
            return Answer(response.status, response.headers, await response.read())

    async def entities(self, city: str = "malmo", **params: str) -> list[dict[str, Any]]:
        """The entities of a query with the unified context; fails unless 200."""
        answer = await self.get(city, params=params, headers=link())
        assert answer.status == 200, answer.body
        result: list[dict[str, Any]] = answer.json()
        return result
