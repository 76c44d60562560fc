"""What every resolver of one GraphQL request can reach through ``info.context``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.auth.principal import Principal
from gateway.graphql.schema.types import City
from gateway.ops.metrics import Metrics
from gateway.policy.audit_trail import AuditTrail
from gateway.process.runtime import Runtime
from gateway.query.coverage import Coverage

MAX_MESSAGE = 300
"""Characters of a city's message in ``errors[]`` (finding L7 of issue 13)."""


@dataclass(slots=True)
class RequestContext:
    """Per-request state: the federation in force, the caller, the deadline, the audit
    trail, city errors."""

    runtime: Runtime
    cities: Mapping[str, City]
    principal: Principal
    deadline: float
    """On the ``time.monotonic()`` clock."""
    audit: AuditTrail | None = None
    """The access decisions of this request (written to the runtime's audit log)."""
    metrics: Metrics | None = None
    city_errors: list[dict[str, Any]] = field(default_factory=list)
    """``errors[]`` entries for cities that failed or were denied, added after execution."""
    stale: bool = False
    """True when some city's part was served stale (the response cache keeps no such answer)."""

    def report(self, path: list[str | int], coverage: Coverage) -> None:
        """Add an ``errors[]`` entry when the city's coverage carries a code (requests sent to
        cities are counted where they are sent: ``gateway/ops/upstream_trace.py``)."""
        self.stale = self.stale or coverage.stale
        if coverage.code is None:
            return
        said = coverage.message or coverage.status.value
        if len(said) > MAX_MESSAGE:  # a long echo is not repeated once per city (L7)
            said = said[: MAX_MESSAGE - 3] + "..."
        self.city_errors.append(
            {
                "message": f"{coverage.city_id}: {said}",
                "path": path,
                "extensions": {"code": coverage.code.value, "city": coverage.city_id},
            }
        )
