"""One execution and one serialisation per event and policy group, shared by its subscribers.

A subscription event's GraphQL object is built once per policy group
(``subscription._node``) and marked ``shared``. Executing the subscription's
selection set on it gives the same data for every subscriber who sent the same
document and variables, so the first execution is kept on the object and reused
(``SharedEventExecution``); the endpoint keeps the JSON text of that data and
splices it into each subscriber's message (``EncodedPayloads``). An event is
freed, with what was kept on it, once every subscriber's queue let it go.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson
from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_KEPT = "_caap_executions"


def shared(node: object) -> None:
    """Mark ``node`` as one event shown alike to many subscribers."""
    object.__setattr__(node, _KEPT, {})


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, executing a shared event once per document and variables."""

    _shared_key: tuple[str, str | None, bytes] | None = None

    def _key(self) -> tuple[str, str | None, bytes]:
        """What makes two subscriptions' executions alike; computed once per subscription
        (each event's executor is a copy of the subscription's)."""
        key = self._shared_key
        if key is None:
            loc = self.operation.loc
            name = self.operation.name.value if self.operation.name else None
            key = (
                loc.source.body if loc is not None else repr(self.operation),
                name,
                orjson.dumps(self.variable_values, option=orjson.OPT_SORT_KEYS, default=str),
            )
            self._shared_key = key
        return key

    def build_per_event_executor(self, payload: Any) -> Any:
        kept = getattr(payload, _KEPT, None)
        found = kept.get(self._key()) if kept is not None else None
        if found is not None:
            return _Replay(found)  # executed already for another subscriber: no copy
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> Any:
        kept: dict[tuple[str, str | None, bytes], Any] | None = getattr(
            self.root_value, _KEPT, None
        )
        if kept is None:
            return super().execute_operation(serially)
        key = self._key()
        found = kept.get(key)
        if found is not None:
            return found
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors:
            kept[key] = result
        return result


class _Replay:
    """A shared event's kept execution, given again to one more subscriber."""

    __slots__ = ("_result",)

    def __init__(self, result: ExecutionResult) -> None:
        self._result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self._result


class EncodedPayloads:
    """The JSON text of recent event data, by identity: the same data object (a shared
    execution's) is encoded once, whatever the number of subscribers it goes to."""

    def __init__(self, capacity: int = 1024) -> None:
        self._kept: OrderedDict[int, tuple[object, str]] = OrderedDict()
        self._capacity = capacity
        self.encoded = 0
        """Data encoded (not reused), for tests and the bench."""

    def text(self, data: object) -> str:
        """``data`` as JSON text."""
        found = self._kept.get(id(data))
        if found is not None and found[0] is data:
            return found[1]
        text = orjson.dumps(data).decode()
        self.encoded += 1
        self._kept[id(data)] = (data, text)
        if len(self._kept) > self._capacity:
            self._kept.popitem(last=False)
        return text

    def message(self, message: object) -> str:
        """A protocol message as JSON text, its ``data`` from the kept texts when it is
        a plain ``next`` (graphql-transport-ws) or a plain result (graphql-sse)."""
        if isinstance(message, dict):
            payload = message.get("payload") if message.get("type") == "next" else None
            if isinstance(payload, dict) and payload.keys() == {"data"}:
                head = orjson.dumps({k: v for k, v in message.items() if k != "payload"})
                return (
                    head[:-1].decode() + ',"payload":{"data":' + self.text(payload["data"]) + "}}"
                )
            if message.keys() == {"data"}:
                return '{"data":' + self.text(message["data"]) + "}"
        return orjson.dumps(message).decode()
