"""``access`` and ``viewer``: what the caller may see, city by city, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import strawberry

from gateway.auth.principal import Principal
from gateway.federation.model import CityConfig, Federation, Rules
from gateway.graphql.schema.types import City
from gateway.policy.decisions import grant_decision
from gateway.policy.wording import row_filter_text


@strawberry.type(description="What the rules of the grant that applies do to a dataset.")
class AccessRules:
    aggregate_only: bool = strawberry.field(
        description="Only `statistics`: `entities` returns no rows of this dataset."
    )
    min_group_size: int | None = strawberry.field(
        description="Statistics over fewer values than this are withheld."
    )
    kept_attributes: list[str] | None = strawberry.field(
        description="Only these attributes are shown; null: all but `removedAttributes`."
    )
    removed_attributes: list[str]
    location_grid_metres: float | None = strawberry.field(
        description="Locations are the centre of a grid cell of this size."
    )
    older_than_minutes: float | None = strawberry.field(
        description="Only observations at least this old are shown."
    )
    row_filters: list[str] = strawberry.field(
        description='Only rows that satisfy these, e.g. "laneId = 1".'
    )


@strawberry.type(description="Whether the caller may see one dataset of one city, and why.")
class DatasetAccess:
    city: City
    dataset: str = strawberry.field(description='Entity type, e.g. "WeatherObserved".')
    allowed: bool = strawberry.field(description="True when rows or statistics may be read.")
    rows: bool = strawberry.field(description="True when `entities` returns rows.")
    reason: str = strawberry.field(description="Why, in words: the grant and its rules.")
    rules: AccessRules | None = strawberry.field(description="The rules; null when denied.")


@strawberry.type(description="The caller, as the access token says (nothing is stored).")
class Viewer:
    anonymous: bool
    client_id: str | None
    scopes: list[str]


def viewer(principal: Principal) -> Viewer:
    """The caller's ``viewer``."""
    return Viewer(
        anonymous=principal.anonymous,
        client_id=principal.client_id,
        scopes=sorted(principal.scopes),
    )


def access_list(
    principal: Principal,
    federation: Federation,
    cities: Mapping[str, City],
    dataset: str | None,
    city_ids: Sequence[str] | None,
) -> list[DatasetAccess]:
    """One entry per city in scope and dataset (``dataset``, or every one the city lists)."""
    scope = city_ids if city_ids is not None else list(federation.cities)
    return [
        _entry(principal, federation.cities[city_id], cities[city_id], name)
        for city_id in scope
        for name in ([dataset] if dataset is not None else federation.cities[city_id].datasets)
    ]


def _entry(principal: Principal, config: CityConfig, city: City, dataset: str) -> DatasetAccess:
    decision = grant_decision(principal, config, dataset)
    rules = decision.rules if decision.allowed else None
    return DatasetAccess(
        city=city,
        dataset=dataset,
        allowed=decision.allowed,
        rows=decision.allowed and not decision.rules.aggregate_only,
        reason=decision.reason,
        rules=_rules(rules) if rules is not None else None,
    )


def _rules(rules: Rules) -> AccessRules:
    return AccessRules(
        aggregate_only=rules.aggregate_only,
        min_group_size=rules.min_group_size,
        kept_attributes=sorted(rules.keep) if rules.keep is not None else None,
        removed_attributes=sorted(rules.drop),
        location_grid_metres=rules.coarsen_m,
        older_than_minutes=rules.older_than_min,
        row_filters=[row_filter_text(f) for f in rules.where],
    )
