"""What an operation will cost, computed from the document and the variables before it runs.

The price list (docs/adr/0006-limits-and-response-cache.md):

- a field that fans out to the cities (a root field with a ``filter`` argument or a
  ``...Connection`` result) costs ``cost_per_city`` for each city it asks: the cities of
  ``filter.cities`` (or ``cities``), or every city of the federation;
- a page (``nodes``) costs ``first`` (or the default page size) times (1 + what each
  item selects); a list of cities, coverage or groups costs the cities in scope times
  (1 + what each item selects);
- any other object costs 1 + what it selects, times 10 for a list; but an object that
  selects only scalars (a location, a point of a time series, ``pageInfo``) is part of
  its parent and costs 0, and so does a list of them;
- scalar, enum and introspection fields cost 0 (introspection has a depth limit);
- under ``history``, entities, series and points cost what they can hold
  (gateway/graphql/limits/history_cost.py), points included.

``first`` outside 0..max_page_size is refused here too, so that no root field of a
document starts fanning out while another one would be refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    is_object_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

from gateway.errors import BadUserInput
from gateway.graphql.limits.history_cost import HistoryShape, history_shape
from gateway.query.entity_request import check_first

PER_CITY_TYPES = frozenset({"City", "CityCoverage", "StatisticsGroup", "DatasetAccess"})
"""Lists of these have one item per city in scope."""
OTHER_LIST_SIZE = 10
_HISTORY_LISTS: dict[str, Callable[[HistoryShape], int]] = {
    "nodes": lambda shape: shape.entities,
    "series": lambda shape: shape.series,
    "points": lambda shape: shape.points,
}
"""The lists of a ``history`` answer, priced by what they can hold (Finding M3)."""


@dataclass(frozen=True, slots=True)
class Prices:
    """What the price list needs to know about the federation."""

    cities: int
    default_page_size: int
    max_page_size: int
    cost_per_city: int


@dataclass(frozen=True, slots=True)
class _Scope:
    cities: int
    page: int
    history: HistoryShape | None = None
    """Set under a ``history`` root: its series and points are priced by what they hold."""


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any],
        prices: Prices,
    ) -> None:
        self.schema = schema
        self.values = dict(variables)
        self.prices = prices
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.errors: list[GraphQLError] = []
        self.spreading: set[str] = set()

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType, scope: _Scope) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, scope)
            elif isinstance(selection, InlineFragmentNode):
                inner = (
                    self._type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selections(selection.selection_set, inner or parent, scope)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, parent, scope)
        return total

    def spread(self, name: str, parent: GraphQLNamedType, scope: _Scope) -> int:
        definition = self.fragments.get(name)
        if definition is None or name in self.spreading:
            return 0
        self.spreading.add(name)
        inner = self._type(definition.type_condition.name.value) or parent
        cost = self.selections(definition.selection_set, inner, scope)
        self.spreading.discard(name)
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType, scope: _Scope) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        output = get_nullable_type(definition.type)
        item = get_named_type(output)
        fan_out = parent is self.schema.query_type and (
            "filter" in definition.args or item.name.endswith("Connection")
        )
        if parent is self.schema.query_type:
            scope = self.root_scope(node)
        own = self.prices.cost_per_city * scope.cities if fan_out else 0
        if not is_object_type(item) or node.selection_set is None:
            return own
        below = self.selections(node.selection_set, item, scope)
        if not is_list_type(output):
            return own + (1 + below if below else 0)
        if scope.history is not None and name in _HISTORY_LISTS:
            return own + _HISTORY_LISTS[name](scope.history) * (1 + below)
        if name == "nodes":
            return own + scope.page * (1 + below)
        if item.name in PER_CITY_TYPES:
            return own + scope.cities * (1 + below)
        return own + (OTHER_LIST_SIZE * (1 + below) if below else 0)

    def root_scope(self, node: FieldNode) -> _Scope:
        """The cities and page size a root field asks for."""
        given = {
            a.name.value: value_from_ast_untyped(a.value, self.values) for a in node.arguments or ()
        }
        args = {name: value for name, value in given.items() if value is not Undefined}
        filter_ = args.get("filter")
        listed = filter_.get("cities") if isinstance(filter_, dict) else args.get("cities")
        cities = len(set(map(str, listed))) if isinstance(listed, list) else self.prices.cities
        first = _integer(args.get("first"))
        page = self.prices.default_page_size
        if first is not None:
            try:
                page = check_first(first, page, self.prices.max_page_size)
            except BadUserInput as error:
                self.errors.append(error)
        cities = min(cities, self.prices.cities)
        if node.name.value == "history":
            return _Scope(cities, page, history_shape(args, page, cities))
        return _Scope(cities, page)

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    prices: Prices,
) -> tuple[int, list[GraphQLError]]:
    """The cost of the operation that would run, and the arguments refused on the way."""
    operation = _operation(document, operation_name)
    root = schema.query_type
    if operation is None or root is None:
        return 0, []
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    costing = _Costing(schema, document, values, prices)
    scope = _Scope(prices.cities, prices.default_page_size)
    return costing.selections(operation.selection_set, root, scope), costing.errors


def _integer(value: object) -> int | None:
    """``value`` as GraphQL's Int coerces it: 1000.0 is 1000 (Finding M2), None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((op for op in operations if op.name and op.name.value == name), None)
