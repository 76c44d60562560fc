"""The GraphQL schema (Strawberry): types, inputs, typed models and the Query root."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway.graphql.schema.query import Query


def build_schema() -> strawberry.Schema:
    """The gateway's schema; built once per process."""
    return strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=True))


__all__ = ["build_schema"]
