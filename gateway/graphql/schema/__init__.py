"""The GraphQL schema (Strawberry): types, inputs, typed models, the Query and Subscription
roots."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter

from gateway.graphql.schema.query import Query
from gateway.graphql.schema.shared_events import SharedEventExecution
from gateway.graphql.schema.subscription import Subscription


class RememberedNames(NameConverter):
    """Strawberry's naming, each Python name converted once: Strawberry converts the field
    names of every input argument on every request (``to_camel_case`` per field per root)."""

    MAX_NAMES = 4096
    """Names come from the schema's definitions, never from a request; the bound is a guard."""

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        found = self._names.get(name)
        if found is None:
            if len(self._names) >= self.MAX_NAMES:
                self._names.clear()
            found = self._names[name] = super().apply_naming_config(name)
        return found


def build_schema() -> strawberry.Schema:
    """The gateway's schema; built once per process."""
    return strawberry.Schema(
        query=Query,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=True, name_converter=RememberedNames()),
        execution_context_class=SharedEventExecution,
    )


__all__ = ["build_schema"]
