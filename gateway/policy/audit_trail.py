"""The access decisions of one request, on their way to the audit log.

An ``AuditTrail`` travels on the request context (``RequestContext.audit``):
the planner records each decision on it, the trail writes the line to the
audit log at once and keeps the decision, so that a response cache hit can
write the same lines again for the caller it serves (``Stored.replay``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.auth.principal import Principal
from gateway.policy.audit import AuditLog, decision_text
from gateway.policy.decisions import Decision


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One access decision of an answer, written again for each caller a cached copy serves."""

    city_id: str
    dataset: str
    decision: Decision
    statistic: str | None
    text: str = field(init=False, repr=False, compare=False)
    """The decision serialised once (``audit.decision_text``), for every replay."""

    def __post_init__(self) -> None:
        text = decision_text(self.city_id, self.dataset, self.decision, self.statistic)
        object.__setattr__(self, "text", text)


class AuditTrail:
    """The decisions taken for ``principal`` in one request, written to ``log`` as they come."""

    def __init__(self, log: AuditLog | None, principal: Principal) -> None:
        self._log = log
        self.principal = principal
        self.lines: list[AuditLine] = []

    def record(
        self, city_id: str, dataset: str, decision: Decision, statistic: str | None = None
    ) -> None:
        """Keep one decision and write its line."""
        self.lines.append(AuditLine(city_id, dataset, decision, statistic))
        if self._log is not None:
            self._log.record(self.principal, city_id, dataset, decision, statistic)
