"""The federated entity query: plan, fan out, filter, merge, paginate.

This is the path of one ``entities`` field, from a validated EntityRequest to a
page of entities with each city's coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.auth.principal import Principal
from gateway.errors import BadUserInput
from gateway.policy.audit_trail import AuditTrail
from gateway.process.runtime import Runtime
from gateway.query.coverage import Coverage, answered
from gateway.query.cursor import CursorError, decode_cursor, encode_cursor, fingerprint
from gateway.query.entity_request import EntityRequest
from gateway.query.fanout import fan_out
from gateway.query.filtering import visible
from gateway.query.merge import Placed, city_head, merge_page
from gateway.query.planner import plan


@dataclass(frozen=True, slots=True)
class EntityAnswer:
    """One page of the global order, and how each city contributed."""

    items: Sequence[Placed]
    has_next: bool
    end_cursor: str | None
    total_count: int
    coverage: Sequence[Coverage]


async def find_entities(
    request: EntityRequest,
    runtime: Runtime,
    principal: Principal,
    deadline: float,
    audit: AuditTrail | None = None,
) -> EntityAnswer:
    """Answer ``request`` from every city in scope; ``deadline`` on the monotonic clock."""
    query_fp = fingerprint(request.fingerprint_parts())
    after_key = None
    if request.after is not None:
        try:
            after_key = decode_cursor(request.after, query_fp, request.order)
        except CursorError as exc:
            raise BadUserInput(f"after: {exc}") from None

    steps = plan(request, runtime.federation, principal, audit)
    outcomes = await fan_out(
        steps, runtime.upstream.fetch, runtime.federation.timeout_for, deadline
    )

    streams: dict[str, list[Placed]] = {}
    total = 0
    coverage: list[Coverage] = []
    for step, outcome in zip(steps, outcomes, strict=True):
        if outcome.result is None or step.query is None:
            coverage.append(outcome.coverage)
            continue
        rows = city_head(
            outcome.city_id,
            visible(outcome.result.entities, step),  # redacted: coarse locations stay coarse
            request.first + 1,
            request.order,
            request.near.point if request.near is not None else None,
            after_key,
        )
        streams[outcome.city_id] = rows.head
        total += rows.count
        note = (
            f"only the first {step.query.limit} matching entities were fetched"
            if outcome.result.truncated
            else None
        )
        coverage.append(answered(outcome.coverage, rows.count, note))

    page = merge_page(streams, request.first, after_key)
    end_cursor = (
        encode_cursor(page.items[-1].key, query_fp, request.order) if page.items else request.after
    )
    return EntityAnswer(
        items=page.items,
        has_next=page.has_next,
        end_cursor=end_cursor,
        total_count=total,
        coverage=coverage,
    )
