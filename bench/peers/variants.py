"""What both gateways are asked: the same entities, in three variants, for 1 and for N cities.

Scenarios: ``one`` (the first city, 20 entities) and ``all`` (every city, 20
each, one aliased root field per city: the shape Mesh needs, and the same
shape for caap-gateway, so both make one upstream call per city). Variants:

- ``identical``: every request the same (coalescing and caching may answer);
- ``variable``: each request differs in a variable (the document stays the same);
- ``document``: each request differs in the document (parsed anew every time).

The per-request value is a time, the ``@T@`` slot of ``bench.wrk``: caap-gateway
gets it as ``observedAfter``, Mesh as ``q: "dateObserved>=..."``, the NGSI-LD
query caap-gateway's adapter itself sends. Every time lies years before every
observation, so every entity matches and the answers keep their size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import orjson

from bench.wrk import TIME_SLOT, RequestSpec

Variant = Literal["identical", "variable", "document"]
Scenario = Literal["one", "all"]
VARIANTS: tuple[Variant, ...] = ("identical", "variable", "document")
SCENARIOS: tuple[Scenario, ...] = ("one", "all")
VARIANT_TITLES: dict[Variant, str] = {
    "identical": "all identical",
    "variable": "each differs (a variable)",
    "document": "each differs (in the document)",
}
FIRST = 20
FIXED_TIME = "2000-01-01T00:00:00Z"
"""The time of the ``identical`` variant (also years before every observation)."""

CAAP_SELECTION = "nodes { id observedAt location { lat lon } attributes }"
HIVE_SELECTION = "id type temperature relativeHumidity dateObserved location { type coordinates }"
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True, slots=True)
class Ask:
    """One scenario in one variant, for both gateways."""

    variant: Variant
    scenario: Scenario
    cities: tuple[str, ...]
    caap: RequestSpec
    hive: RequestSpec


def _spec(query: str, variables: dict[str, str] | None = None) -> RequestSpec:
    body: dict[str, object] = {"query": query}
    if variables:
        body["variables"] = variables
    return RequestSpec("POST", "/graphql", _HEADERS, orjson.dumps(body).decode())


def _value(variant: Variant) -> str:
    return FIXED_TIME if variant == "identical" else TIME_SLOT


def caap_query(
    cities: Sequence[str], variant: Variant, *, aliased: bool = True, first: int = FIRST
) -> RequestSpec:
    """caap-gateway: one ``entities`` root per city (``aliased``), or one root over them all;
    ``first`` entities per city."""
    after = "$t" if variant == "variable" else f'"{_value(variant)}"'
    signature = "($t: DateTime)" if variant == "variable" else ""

    def root(alias: str, chosen: Sequence[str], first: int) -> str:
        names = ", ".join(f'"{c}"' for c in chosen)
        return (
            f'  {alias}entities(type: "WeatherObserved", first: {first}, '
            f"filter: {{cities: [{names}], observedAfter: {after}}}) {{ {CAAP_SELECTION} }}"
        )

    if aliased:
        roots = [root(f"{c}: " if len(cities) > 1 else "", [c], first) for c in cities]
    else:
        roots = [root("", cities, first * len(cities))]
    query = f"query Peers{signature} {{\n" + "\n".join(roots) + "\n}"
    return _spec(query, {"t": TIME_SLOT} if variant == "variable" else None)


def hive_query(cities: Sequence[str], variant: Variant) -> RequestSpec:
    """Hive Gateway: one ``<city>_queryEntities`` root per city."""
    q = "$q" if variant == "variable" else f'"dateObserved>={_value(variant)}"'
    signature = "($q: String)" if variant == "variable" else ""
    roots = [
        f'  {c}: {c}_queryEntities(type: "WeatherObserved", limit: {FIRST}, offset: 0, '
        f"options: keyValues, q: {q}) {{ {HIVE_SELECTION} }}"
        for c in cities
    ]
    query = f"query Peers{signature} {{\n" + "\n".join(roots) + "\n}"
    return _spec(query, {"q": f"dateObserved>={TIME_SLOT}"} if variant == "variable" else None)


def asks(cities: Sequence[str], one: str) -> list[Ask]:
    """Every (variant, scenario): ``one`` is the city of scenario ``one``."""
    out = []
    for variant in VARIANTS:
        for scenario in SCENARIOS:
            chosen = (one,) if scenario == "one" else tuple(cities)
            out.append(
                Ask(
                    variant,
                    scenario,
                    chosen,
                    caap_query(chosen, variant),
                    hive_query(chosen, variant),
                )
            )
    return out
