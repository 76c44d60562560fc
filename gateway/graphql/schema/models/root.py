"""What every generated typed root field does: check, add the typed ``where``, federate, report."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Annotated

import strawberry

from adapters.contract import Condition
from gateway.graphql.schema.context import RequestContext
from gateway.graphql.schema.inputs import EntityFilter, to_request
from gateway.graphql.schema.order_input import EntityOrder
from gateway.query.coverage import Coverage
from gateway.query.entities import EntityAnswer, find_entities

Info = strawberry.Info[RequestContext, None]

FirstArg = Annotated[
    int | None,
    strawberry.argument(description="Page size; default 100, at most 1000 (configurable)."),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="`pageInfo.endCursor` of the previous page.")
]
OrderArg = Annotated[
    EntityOrder | None,
    strawberry.argument(
        name="orderBy", description="The order; newest observation first when absent."
    ),
]


def report_coverage(info: Info, coverage: Sequence[Coverage]) -> None:
    """Hand each city's part of the answer to the request (``extensions.coverage``)."""
    path = [str(p) if isinstance(p, str) else p for p in info.path.as_list()]
    for entry in coverage:
        info.context.report(path, entry)


async def typed_answer(
    info: Info,
    entity_type: str,
    filter: EntityFilter | None,
    where: tuple[Condition, ...],
    first: int | None,
    after: str | None,
    order_by: EntityOrder | None = None,
) -> EntityAnswer:
    """The answer of a typed field: ``entities`` of ``entity_type`` with the typed ``where``."""
    ctx = info.context
    request = to_request(entity_type, filter, first, after, ctx.runtime.federation, order_by)
    if where:
        request = dataclasses.replace(request, where=request.where + where)
    answer = await find_entities(request, ctx.runtime, ctx.principal, ctx.deadline, ctx.audit)
    report_coverage(info, answer.coverage)
    return answer
