"""What every resolver of one GraphQL request can reach through ``info.context``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.coverage import Coverage, CoverageStatus
from gateway.metrics import Metrics
from gateway.policy import Principal
from gateway.runtime import Runtime
from gateway.schema.types import City


@dataclass(slots=True)
class RequestContext:
    """Per-request state: the federation in force, the caller, the deadline, city errors."""

    runtime: Runtime
    cities: Mapping[str, City]
    principal: Principal
    deadline: float
    """On the ``time.monotonic()`` clock."""
    metrics: Metrics | None = None
    city_errors: list[dict[str, Any]] = field(default_factory=list)
    """``errors[]`` entries for cities that failed or were denied, added after execution."""

    def report(self, path: list[str | int], coverage: Coverage) -> None:
        """Count the city's outcome; add an ``errors[]`` entry when its coverage carries a code."""
        if self.metrics is not None and coverage.status is not CoverageStatus.DENIED:
            outcome = _OUTCOMES.get(coverage.status, "error")
            self.metrics.upstream_requests.labels(coverage.city_id, outcome).inc()
        if coverage.code is None:
            return
        self.city_errors.append(
            {
                "message": f"{coverage.city_id}: {coverage.message or coverage.status.value}",
                "path": path,
                "extensions": {"code": coverage.code.value, "city": coverage.city_id},
            }
        )


_OUTCOMES = {
    CoverageStatus.OK: "ok",
    CoverageStatus.TIMEOUT: "timeout",
    CoverageStatus.UNAVAILABLE: "unavailable",
    CoverageStatus.UNSUPPORTED: "unsupported",
}
