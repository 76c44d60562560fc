"""Who may see what: a caller (Principal) x city x dataset -> Decision.

This is the decision the planner takes before any upstream call. Tokens arrive
with the resource-server work; until then every caller is anonymous and sees
public datasets only.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.errors import ErrorCode
from gateway.federation.model import CityConfig


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``subject`` None means anonymous."""

    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def anonymous(self) -> bool:
        """True for a request without a token."""
        return self.subject is None and self.client_id is None


ANONYMOUS = Principal()


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed, or denied with a reason and the error code to report."""

    allowed: bool
    reason: str
    code: ErrorCode | None = None


def decide(principal: Principal, city: CityConfig, dataset: str) -> Decision:
    """Whether ``principal`` may read ``dataset`` of ``city``, and why."""
    config = city.datasets.get(dataset)
    if config is None:
        return Decision(False, f"{city.name} does not share {dataset}", ErrorCode.FORBIDDEN)
    if config.access.public:
        return Decision(True, "public")
    needed = ", ".join(sorted(config.access.scopes))
    if principal.anonymous:
        return Decision(
            False,
            f"{dataset} of {city.name} needs a token with scope {needed}",
            ErrorCode.UNAUTHENTICATED,
        )
    if principal.scopes & config.access.scopes:
        return Decision(True, f"scope {needed}")
    return Decision(False, f"{dataset} of {city.name} needs scope {needed}", ErrorCode.FORBIDDEN)
