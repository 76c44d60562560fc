"""The GraphQL schema (Strawberry): types, inputs, typed models, the Query and Subscription
roots."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway.graphql.schema.query import Query
from gateway.graphql.schema.shared_events import SharedEventExecution
from gateway.graphql.schema.subscription import Subscription


def build_schema() -> strawberry.Schema:
    """The gateway's schema; built once per process."""
    return strawberry.Schema(
        query=Query,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True),
        execution_context_class=SharedEventExecution,
    )


__all__ = ["build_schema"]
