"""A fast path for large result lists: items whose fields are plain attributes are
completed by a plan compiled once per list, not field by field by graphql-core.

A field qualifies when Strawberry resolves it by reading an attribute (no resolver,
no permission, no extension) and it is a scalar, an enum or an object of such fields;
``__typename`` too. Anything else in the selection, a list below the items, ``@defer``,
or any surprise while completing (a null in a non-null field, a value a scalar refuses)
sends the whole list down graphql-core's own path, which reports errors as usual.
Anything else raised here is a bug of this module: logged with its traceback and
counted (``caap_internal_errors_total{where="fast_lists"}``) before the fallback.
"""

from __future__ import annotations

import logging
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path

from gateway.ops.metrics import Metrics

log = logging.getLogger("caap.fast_lists")

MIN_ITEMS = 2
"""A single item takes the ordinary path; from two items on a plan pays (a 12-entity page
of the bench query: -15% CPU for the whole request)."""

Complete = Callable[[Any], Any]


class _Fallback(Exception):
    """This list cannot (or no longer) take the fast path."""


class FastListExecutor(Executor[Any]):
    """graphql-core's executor, with ``complete_list_value`` short-cut for plain items."""

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if isinstance(result, list | tuple) and len(result) >= MIN_ITEMS:
            try:
                complete = self._item_plan(return_type.of_type, field_details_list)
                return [complete(item) for item in result]
            except _Fallback:
                pass  # the ordinary path reports what went wrong, if anything did
            except Exception:  # a bug here: seen, counted, and the ordinary path answers
                log.exception("the fast list path failed at %s", path.as_list())
                metrics = getattr(self.context_value, "metrics", None)
                if isinstance(metrics, Metrics):
                    metrics.internal_errors.labels("fast_lists").inc()
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _item_plan(self, item_type: GraphQLOutputType, details: FieldDetailsList) -> Complete:
        required = is_non_null_type(item_type)
        named = item_type.of_type if is_non_null_type(item_type) else item_type
        if not is_object_type(named):
            raise _Fallback
        return _nullable(self._object_plan(named, details), required)

    def _object_plan(self, parent: GraphQLObjectType, details: FieldDetailsList) -> Complete:
        if parent.is_type_of is not None:
            raise _Fallback
        grouped, defer_usages, _ = self.collect_subfields(parent, details)
        if defer_usages:
            raise _Fallback
        steps: list[tuple[str, Complete]] = []
        for key, field_details in grouped.items():
            steps.append((key, self._field_plan(parent, field_details)))
        return _object(steps)

    def _field_plan(self, parent: GraphQLObjectType, details: FieldDetailsList) -> Complete:
        name = details[0].node.name.value
        if name == "__typename":
            type_name = parent.name
            return lambda _source: type_name
        definition = parent.fields.get(name)
        resolve = definition.resolve if definition is not None else None
        strawberry_field = (definition.extensions or {}).get("strawberry-definition")
        if (
            definition is None
            or not getattr(resolve, "_is_default", False)
            or strawberry_field is None
            or not strawberry_field.is_basic_field
        ):
            raise _Fallback
        read: Callable[[Any, str], Any] = strawberry_field.default_resolver
        attribute: str = strawberry_field.python_name
        get: Complete = (
            operator.attrgetter(attribute)
            if read is getattr
            else lambda source: read(source, attribute)
        )
        required = is_non_null_type(definition.type)
        output = definition.type.of_type if required else definition.type
        if is_leaf_type(output):
            return _leaf_field(get, output, required)
        if is_object_type(output):
            complete = _nullable(self._object_plan(output, details), required)
            return lambda source: complete(get(source))
        raise _Fallback


def _nullable(complete: Complete, required: bool) -> Complete:
    def run(value: Any) -> Any:
        if value is None:
            if required:
                raise _Fallback
            return None
        return complete(value)

    return run


_AS_IS: dict[GraphQLLeafType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLFloat: float,
}
"""Built-in scalars whose output coercion returns a value of this exact type unchanged
(a Float: when finite), so the plan skips the call."""


def _finite(value: Any) -> bool:
    return math.isfinite(value)


def _leaf_field(get: Complete, leaf: GraphQLLeafType, required: bool) -> Complete:
    """Read a leaf field and coerce it as graphql-core would, in one step."""
    coerce = leaf.coerce_output_value
    as_is = _AS_IS.get(leaf)
    finite = leaf is GraphQLFloat

    def run(source: Any) -> Any:
        value = get(source)
        if value is None:
            if required:
                raise _Fallback
            return None
        if type(value) is as_is and (not finite or _finite(value)):
            return value
        try:
            coerced = coerce(value)
        except Exception:
            raise _Fallback from None
        if coerced is None or coerced is Undefined:
            raise _Fallback
        return coerced

    return run


def _object(steps: Sequence[tuple[str, Complete]]) -> Complete:
    def run(source: Any) -> dict[str, Any]:
        return {key: complete(source) for key, complete in steps}

    return run
