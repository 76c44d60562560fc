"""The Subscription root: ``entityChanges``, served over graphql-transport-ws and graphql-sse.

Each event is a union member (ADR 0022): ``EntityChanged`` (the entity exactly as
``entities`` shows it to this caller) or ``CityStreamChanged`` (a city's stream
went down, came back, fell back to polling, or is refused by its policy). The
GraphQL objects of an event are built once per policy group and shared by all
its subscribers (``Delivery.memo``).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.errors import BadUserInput
from gateway.graphql.schema import convert
from gateway.graphql.schema.inputs import EntityFilter, to_request
from gateway.graphql.schema.shared_events import shared
from gateway.graphql.schema.types import City, CoverageStatus, Entity
from gateway.graphql.schema.where import WhereCondition
from gateway.live.events import EntityChange, StreamChange
from gateway.live.events import StreamState as _StreamState
from gateway.live.events import Via as _Via
from gateway.live.hub import LiveConnection, LiveHub, LiveRefused
from gateway.live.subscriber import Delivery, Subscriber, SubscriptionEnded
from gateway.query.merge import Placed
from gateway.query.ordering import sort_key

Via = strawberry.enum(_Via, description="How the gateway learned of a change.")
StreamState = strawberry.enum(_StreamState, description="What happened to a city's stream.")


@strawberry.type(description="An entity that changed, as `entities` shows it to you.")
class EntityChanged:
    entity: Entity
    city: City
    received_at: datetime = strawberry.field(description="When the gateway received it (UTC).")
    via: Via = strawberry.field(description="Pushed by the platform, or found by polling.")  # type: ignore[valid-type]


@strawberry.type(description="A city's stream changed state; `status` as in a query's coverage.")
class CityStreamChanged:
    city: City
    state: StreamState  # type: ignore[valid-type]
    status: CoverageStatus  # type: ignore[valid-type]
    at: datetime
    message: str | None
    via: Via | None = strawberry.field(  # type: ignore[valid-type]
        description="For BACK: how events arrive again."
    )


EntityChangeEvent = Annotated[
    EntityChanged | CityStreamChanged,
    strawberry.union("EntityChangeEvent", description="An entity change or a city stream event."),
]


Current = Callable[[], tuple[LiveHub, Mapping[str, City]]]
"""The hub and the city objects of the federation in force now."""


@dataclass(slots=True)
class LiveContext:
    """What a subscription's resolver reads: the federation in force, the caller, the
    connection. Built once per connection (``gateway/http/live_endpoint.py``)."""

    current: Current
    connection: LiveConnection
    principal: Principal = ANONYMOUS
    wall: Callable[[], float] = field(default=time.time)
    connection_params: dict[str, Any] = field(default_factory=dict)
    """graphql-transport-ws ``connection_init`` payload (set by strawberry)."""
    handshake_authorization: list[str] = field(default_factory=list)
    """A WebSocket handshake's ``Authorization`` headers (used when the payload has none)."""
    address: str | None = None


Info = strawberry.Info[LiveContext, None]


def _node(delivery: Delivery, cities: Mapping[str, City]) -> EntityChanged | CityStreamChanged:
    """The GraphQL object of ``delivery``, built once for every subscriber of its group."""
    built = delivery.memo.get("graphql")
    if built is not None:
        return built  # type: ignore[no-any-return]
    event = delivery.event
    city = cities[event.city_id]
    node: EntityChanged | CityStreamChanged
    if isinstance(event, EntityChange):
        placed = Placed(sort_key(event.city_id, event.entity), event.city_id, event.entity)
        node = EntityChanged(
            entity=convert.entity(placed, cities),
            city=city,
            received_at=datetime.fromtimestamp(event.received_at, UTC),
            via=event.via,
        )
    else:
        assert isinstance(event, StreamChange)
        node = CityStreamChanged(
            city=city,
            state=event.state,
            status=event.status,
            at=datetime.fromtimestamp(event.at, UTC),
            message=event.message,
            via=event.via,
        )
    shared(node)
    delivery.memo["graphql"] = node
    return node


async def _events(
    subscriber: Subscriber, cities: Mapping[str, City], wall: Callable[[], float]
) -> AsyncGenerator[EntityChanged | CityStreamChanged, None]:
    try:
        while True:
            delivery = await subscriber.next(wall)
            yield _node(delivery, cities)
    except SubscriptionEnded as ended:
        raise GraphQLError(ended.reason, extensions={"code": ended.code}) from None
    finally:
        subscriber.close()


@strawberry.type
class Subscription:
    @strawberry.subscription(  # type: ignore[untyped-decorator]
        description="Changes of entities of one type across cities, as they happen: pushed "
        "where the platform pushes, else found by polling. Each entity is shown as `entities` "
        "shows it to you; city stream events say when a city goes down, comes back or is "
        "polled instead."
    )
    def entity_changes(
        self,
        info: Info,
        type: Annotated[
            str, strawberry.argument(description='Smart Data Models type, e.g. "WeatherObserved".')
        ],
        filter: EntityFilter | None = None,
        cities: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="City ids; all cities when absent (as filter.cities)."),
        ] = None,
        where: Annotated[
            list[WhereCondition] | None,
            strawberry.argument(
                description="Conditions on attribute values, all of which an entity must meet "
                "(as in `entities`); checked on every event."
            ),
        ] = None,
    ) -> AsyncGenerator[EntityChangeEvent, None]:
        ctx = info.context
        hub, city_objects = ctx.current()
        if cities is not None:
            if filter is not None and filter.cities is not None:
                raise BadUserInput("give the cities once: in `cities` or in `filter.cities`")
            filter = replace(filter or EntityFilter(), cities=cities)
        request = to_request(type, filter, None, None, hub.federation, where=where)
        try:
            subscriber = hub.subscribe(request, ctx.principal, ctx.connection)
        except LiveRefused as refused:
            raise GraphQLError(str(refused), extensions={"code": refused.code.value}) from None
        events = _events(subscriber, city_objects, ctx.wall)
        weakref.finalize(events, subscriber.close)  # released even if never iterated
        return events
