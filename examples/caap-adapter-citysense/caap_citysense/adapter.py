"""``CitySenseAdapter``: CitySense stations as WeatherObserved entities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, ClassVar

from yarl import URL

from adapters import (
    AdapterContext,
    Capabilities,
    SourceEntity,
    SourceQuery,
    SourceResult,
    UnsupportedQuery,
    UpstreamProtocolError,
    representative_point,
)
from adapters.sdk import (
    Between,
    Collector,
    PlatformClient,
    Secret,
    parse_config,
    parse_instant,
    project,
    to_model_unit,
)

READINGS = {
    "temp_f": ("temperature", "°F"),
    "rh_pct": ("relativeHumidity", "%"),
    "wind_kmh": ("windSpeed", "km/h"),
}
"""CitySense reading -> (WeatherObserved attribute, the unit CitySense uses)."""


@dataclass(frozen=True, slots=True)
class CitySenseConfig:
    """``url`` of the CitySense API, the city's ``api_token``, and the page size."""

    url: URL
    api_token: Secret
    per_page: Annotated[int, Between(1, 500)] = 50


class CitySenseAdapter:
    """Weather stations of one CitySense account."""

    kind: ClassVar[str] = "citysense"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config = self.validate_config(config)
        self._client = PlatformClient(
            context,
            self.config.url,
            headers={"Authorization": f"Token {self.config.api_token}"},
            secrets=(self.config.api_token,),
            peer="CitySense",
        )

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> CitySenseConfig:
        """Check the adapter section (unknown keys refused, the key named)."""
        return parse_config(CitySenseConfig, config, kind=cls.kind)

    @property
    def capabilities(self) -> Capabilities:
        """CitySense filters nothing: the gateway and the Collector do it all."""
        return Capabilities(paging=True, entity_types=frozenset({"WeatherObserved"}))

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Every station, page by page, until the query's limit is reached."""
        if query.entity_type != "WeatherObserved":
            raise UnsupportedQuery(f"CitySense has no {query.entity_type}")
        collector = Collector(query, refine=True)
        page: int | None = 1
        while page is not None and not collector.full:
            url = (self.config.url / "api" / "v1" / "stations").with_query(
                kind="weather", page=page, per_page=self.config.per_page
            )
            answer = await self._client.get_json(url)
            stations, page = _page(answer.data)
            collector.extend(_entity(s, query.attrs) for s in stations)
        return collector.result(exhausted=page is None)

    async def aclose(self) -> None:
        """Close the session (idempotent)."""
        await self._client.aclose()


def _page(data: object) -> tuple[list[Any], int | None]:
    if not isinstance(data, dict) or not isinstance(data.get("stations"), list):
        raise UpstreamProtocolError("expected {'stations': [...], 'next_page': ...}")
    following = data.get("next_page")
    if following is not None and (isinstance(following, bool) or not isinstance(following, int)):
        raise UpstreamProtocolError("next_page is not a page number")
    return data["stations"], following


def _entity(station: object, attrs: tuple[str, ...] | None) -> SourceEntity:
    if not isinstance(station, dict) or not isinstance(station.get("code"), str):
        raise UpstreamProtocolError("a station without a code")
    readings = station.get("readings") or {}
    attributes = {
        attribute: to_model_unit("WeatherObserved", attribute, value, unit)
        for name, (attribute, unit) in READINGS.items()
        if isinstance(value := readings.get(name), int | float) and not isinstance(value, bool)
    }
    point = {"type": "Point", "coordinates": [station.get("lng"), station.get("lat")]}
    entity = SourceEntity(
        id=f"urn:ngsi-ld:WeatherObserved:citysense-{station['code']}",
        type="WeatherObserved",
        location=representative_point(point),
        observed_at=parse_instant(station.get("measured"), what="measured"),
        attributes=attributes,
    )
    return replace(entity, attributes=project(entity.attributes, attrs))
