"""The Query root: thin resolvers that hand validated requests to the federation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.errors import BadUserInput
from gateway.graphql.schema import convert
from gateway.graphql.schema.access import DatasetAccess, Viewer, access_list, viewer
from gateway.graphql.schema.catalogue import dataset_connection
from gateway.graphql.schema.context import RequestContext
from gateway.graphql.schema.discovery import EntityTypeSummary, entity_by_id, type_summaries
from gateway.graphql.schema.history import HistoryAggregate, HistoryConnection, history_connection
from gateway.graphql.schema.inputs import EntityFilter, check_entity_type, to_request
from gateway.graphql.schema.models.generated import ModelFields
from gateway.graphql.schema.models.root import AfterArg, FirstArg, OrderArg, report_coverage
from gateway.graphql.schema.order_input import EntityOrder
from gateway.graphql.schema.statistics import Statistics, StatisticsGroupBy, to_statistics
from gateway.graphql.schema.types import City, DatasetConnection, Entity, EntityConnection
from gateway.graphql.schema.where import WhereCondition
from gateway.query.datasets import dataset_request, find_datasets
from gateway.query.entities import EntityAnswer, find_entities
from gateway.query.history import find_history, history_request
from gateway.query.statistics import check_attribute, compute_statistics

Info = strawberry.Info[RequestContext, None]

_report = report_coverage


WhereArg = Annotated[
    list[WhereCondition] | None,
    strawberry.argument(
        description="Conditions on attribute values, all of which must hold, e.g. "
        '[{attribute: "pm25", op: GT, value: 25}].'
    ),
]


async def _answer(
    info: Info,
    entity_type: str,
    filter: EntityFilter | None,
    first: int | None,
    after: str | None,
    order_by: EntityOrder | None = None,
    where: list[WhereCondition] | None = None,
) -> EntityAnswer:
    ctx = info.context
    request = to_request(entity_type, filter, first, after, ctx.runtime.federation, order_by, where)
    answer = await find_entities(request, ctx.runtime, ctx.principal, ctx.deadline, ctx.audit)
    _report(info, answer.coverage)
    return answer


@strawberry.type
class Query(ModelFields):
    @strawberry.field(description="Every municipality of the federation.")
    def cities(self, info: Info) -> list[City]:
        return list(info.context.cities.values())

    @strawberry.field(description="One municipality by id, or null.")
    def city(self, info: Info, id: strawberry.ID) -> City | None:
        return info.context.cities.get(str(id))

    @strawberry.field(
        description="Entities of one type across cities, newest observation first "
        "(then city, then id) unless orderBy says otherwise."
    )
    async def entities(
        self,
        info: Info,
        type: Annotated[
            str, strawberry.argument(description='Smart Data Models type, e.g. "WeatherObserved".')
        ],
        filter: EntityFilter | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
        order_by: OrderArg = None,
        where: WhereArg = None,
    ) -> EntityConnection:
        answer = await _answer(info, type, filter, first, after, order_by, where)
        return convert.connection(EntityConnection, answer, convert.entity, info.context.cities)

    @strawberry.field(
        description="One entity by city and id, as a row of `entities` (the same policy); "
        "null with a NOT_FOUND error when there is none you may see."
    )
    async def entity(self, info: Info, city: strawberry.ID, id: strawberry.ID) -> Entity | None:
        return await entity_by_id(info, city, id)

    @strawberry.field(
        description="The entity types the cities offer you, by name: which cities, how many, "
        "which attributes in which units (from the platforms' own discovery and your grants)."
    )
    async def types(
        self, info: Info, cities: list[strawberry.ID] | None = None
    ) -> list[EntityTypeSummary]:
        return await type_summaries(info, cities)

    @strawberry.field(
        description="Datasets in the cities' open-data catalogues (DCAT-AP-SE, CKAN), by title "
        "(then city, then id); `search`: every word must occur in title, description or keywords."
    )
    async def datasets(
        self,
        info: Info,
        search: str | None = None,
        cities: list[strawberry.ID] | None = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> DatasetConnection:
        ctx = info.context
        ids = [str(c) for c in cities] if cities is not None else None
        request = dataset_request(search, ids, first, after, ctx.runtime.federation)
        answer = await find_datasets(request, ctx.runtime, ctx.deadline)
        _report(info, list(answer.coverage))
        return dataset_connection(answer, ctx.cities)

    @strawberry.field(
        description="Past values of one entity type, per entity and attribute, from the cities "
        "whose platforms keep history (NGSI-LD temporal API); optionally aggregated."
    )
    async def history(
        self,
        info: Info,
        type: Annotated[
            str, strawberry.argument(description='Smart Data Models type, e.g. "WeatherObserved".')
        ],
        from_: Annotated[
            datetime,
            strawberry.argument(name="from", description="Window start (inclusive), with a zone."),
        ],
        to: Annotated[
            datetime | None,
            strawberry.argument(description="Window end (exclusive); now when absent."),
        ] = None,
        cities: list[strawberry.ID] | None = None,
        entity_id: strawberry.ID | None = None,
        attrs: list[str] | None = None,
        last_n: Annotated[
            int | None, strawberry.argument(description="Only the newest N values per attribute.")
        ] = None,
        aggregate: HistoryAggregate | None = None,
        first: FirstArg = None,
    ) -> HistoryConnection:
        ctx = info.context
        request = history_request(
            type,
            [str(c) for c in cities] if cities is not None else None,
            from_,
            to,
            ctx.runtime.federation,
            entity_id=str(entity_id) if entity_id is not None else None,
            attrs=attrs,
            last_n=last_n,
            method=aggregate.method.value if aggregate is not None else None,
            period=aggregate.period if aggregate is not None else None,
            first=first,
        )
        answer = await find_history(request, ctx.runtime, ctx.principal, ctx.deadline, ctx.audit)
        _report(info, list(answer.coverage))
        return history_connection(answer, ctx.cities)

    @strawberry.field(
        description="count, min, max and mean of a numeric attribute across cities, computed "
        "in the gateway; also of datasets a city shares only in aggregate (no row leaves)."
    )
    async def statistics(
        self,
        info: Info,
        type: Annotated[
            str, strawberry.argument(description='Smart Data Models type, e.g. "WeatherObserved".')
        ],
        attribute: Annotated[
            str, strawberry.argument(description='A numeric attribute, e.g. "temperature".')
        ],
        filter: EntityFilter | None = None,
        group_by: StatisticsGroupBy = StatisticsGroupBy.NONE,
    ) -> Statistics:
        ctx = info.context
        check_attribute(attribute)
        request = to_request(type, filter, None, None, ctx.runtime.federation)
        by_city = group_by is StatisticsGroupBy.CITY
        answer = await compute_statistics(
            request, attribute, by_city, ctx.runtime, ctx.principal, ctx.deadline, ctx.audit
        )
        _report(info, answer.coverage)
        return to_statistics(type, attribute, answer, ctx.cities)

    @strawberry.field(
        description="What you may see of each city's datasets, and why: the grant that "
        "applies to your token (or to anonymous callers) and its rules."
    )
    def access(
        self,
        info: Info,
        type: Annotated[
            str | None,
            strawberry.argument(description="One entity type; all that each city lists if absent."),
        ] = None,
        cities: list[strawberry.ID] | None = None,
    ) -> list[DatasetAccess]:
        ctx = info.context
        known = ctx.runtime.federation.cities
        ids = [str(c) for c in cities] if cities is not None else None
        unknown = [c for c in ids or () if c not in known]
        if unknown:
            raise BadUserInput(
                f"cities: unknown city id {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(known))})"
            )
        scope = list(dict.fromkeys(ids)) if ids is not None else None
        if type is not None:
            check_entity_type(type)
        return access_list(ctx.principal, ctx.runtime.federation, ctx.cities, type, scope)

    @strawberry.field(description="The caller, as the access token says.")
    def viewer(self, info: Info) -> Viewer:
        return viewer(info.context.principal)
