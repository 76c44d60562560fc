"""Who may see what: a caller (Principal) x city x dataset -> Decision.

The planner takes this decision before any upstream call. A dataset's ``access``
is a list of grants (gateway/federation/access.py); the first grant whose
audience matches the caller applies, with its rules. No grant, no data: an
anonymous caller is told that a token is needed (UNAUTHENTICATED), others that
theirs does not suffice (FORBIDDEN). A dataset a city does not list is denied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.errors import ErrorCode
from gateway.federation.model import Audience, CityConfig, Federation, Grant, Rules
from gateway.policy.wording import audience_needs, rule_texts

__all__ = [
    "ANONYMOUS",
    "Decision",
    "Principal",
    "decide",
    "decide_order",
    "federation_policy_class",
    "grant_decision",
    "grant_for",
    "matches",
    "policy_class",
]

FULL_ACCESS = Rules()
LOCATION = "location"
"""The name that ``drop`` and ``keep`` use for an entity's location."""


@dataclass(frozen=True, slots=True)
class Decision:
    """Allowed (with the grant that applies), or denied with a reason and an error code."""

    allowed: bool
    reason: str
    code: ErrorCode | None = None
    grant: Grant | None = None
    policy_class: str = field(default="", compare=False)
    """What the decision depends on (``policy_class``), when ``grant_decision`` took it:
    computed from the same grant lookup, so the planner looks the grant up once."""

    @property
    def rules(self) -> Rules:
        """The rules to enforce; full access when no grant applies (nothing is fetched then)."""
        return self.grant.rules if self.grant is not None else FULL_ACCESS


def matches(principal: Principal, audience: Audience) -> bool:
    """True when ``principal`` is part of ``audience``."""
    if audience.public:
        return True
    if principal.anonymous:
        return False
    if audience.clients and principal.client_id not in audience.clients:
        return False
    if not audience.all_scopes <= principal.scopes:
        return False
    return not audience.any_scopes or bool(audience.any_scopes & principal.scopes)


def grant_for(principal: Principal, city: CityConfig, dataset: str) -> tuple[int, Grant] | None:
    """The first grant of ``dataset`` whose audience ``principal`` is part of, and its index."""
    config = city.datasets.get(dataset)
    if config is None:
        return None
    for index, grant in enumerate(config.access.grants):
        if matches(principal, grant.audience):
            return index, grant
    return None


def grant_decision(principal: Principal, city: CityConfig, dataset: str) -> Decision:
    """Allowed when some grant applies (rows or statistics, as its rules say), and why."""
    config = city.datasets.get(dataset)
    found = grant_for(principal, city, dataset)
    cls = _class_of(principal, city, dataset, found)
    if config is None:
        return Decision(
            False, f"{city.name} does not share {dataset}", ErrorCode.FORBIDDEN, None, cls
        )
    if found is None:
        needs = " or ".join(dict.fromkeys(audience_needs(g.audience) for g in config.access.grants))
        code = ErrorCode.UNAUTHENTICATED if principal.anonymous else ErrorCode.FORBIDDEN
        return Decision(False, f"{dataset} of {city.name} needs a token {needs}", code, None, cls)
    grant = found[1]
    why = _why(principal, grant.audience)
    return Decision(True, "; ".join([why, *rule_texts(grant.rules)]), None, grant, cls)


def decide(
    principal: Principal,
    city: CityConfig,
    dataset: str,
    *,
    statistic: str | None = None,
    by_location: bool = False,
    filtered: Iterable[str] = (),
) -> Decision:
    """Whether ``principal`` may read ``dataset`` of ``city`` as asked, and why.

    ``statistic`` names the attribute when only statistics of it are asked for:
    aggregate-only grants allow that, and nothing else. ``by_location``: the
    question filters on location (``near``, ``within``), which a caller who may
    not see locations cannot use (it would reveal them). ``filtered``: the attributes
    a ``where`` tests, each of which the caller must be shown (a filter on a hidden
    attribute would reveal its values; ADR 0018).
    """
    decision = grant_decision(principal, city, dataset)
    rules = decision.rules
    if not decision.allowed:
        return decision
    if statistic is None and rules.aggregate_only:
        return Decision(
            False,
            f"{city.name} shares {dataset} only as statistics: ask statistics(type: "
            f'"{dataset}", attribute: ...)',
            ErrorCode.FORBIDDEN,
        )
    if statistic is not None and not rules.shows(statistic):
        return Decision(
            False,
            f"{city.name} does not share the attribute {statistic} of {dataset}",
            ErrorCode.FORBIDDEN,
        )
    if by_location and not rules.shows(LOCATION):
        return Decision(
            False,
            f"{city.name} does not share the locations of {dataset}: "
            "filters on location (near, within) cannot be used",
            ErrorCode.FORBIDDEN,
        )
    hidden = [a for a in dict.fromkeys(filtered) if not rules.shows(a)]
    if hidden:
        return Decision(
            False,
            f"{city.name} does not share the attribute {', '.join(hidden)} of {dataset}: "
            "where cannot filter on it",
            ErrorCode.FORBIDDEN,
        )
    return decision


def _why(principal: Principal, audience: Audience) -> str:
    if audience.public:
        return "public"
    parts = []
    if audience.clients:
        parts.append(f"client {principal.client_id}")
    held = sorted(audience.all_scopes | (audience.any_scopes & principal.scopes))
    if held:
        parts.append(f"{'scope' if len(held) == 1 else 'scopes'} {', '.join(held)}")
    return "token with " + " and ".join(parts) if parts else "token"


def policy_class(principal: Principal, city: CityConfig, dataset: str) -> str:
    """A hash of what the decision for ``principal`` depends on, for cache keys.

    Two callers with the same class get the same data from this city's dataset:
    the same grant (its position and content) or the same kind of refusal. It
    holds no token, no subject and no client id, and is stable across processes.
    """
    return _class_of(principal, city, dataset, grant_for(principal, city, dataset))


def _class_of(
    principal: Principal, city: CityConfig, dataset: str, found: tuple[int, Grant] | None
) -> str:
    if found is None:
        listed = dataset in city.datasets
        part: object = ["deny", listed, principal.anonymous]
    else:
        index, grant = found
        part = ["grant", index, _canonical(grant)]
    raw = orjson.dumps([city.id, dataset, part])
    return hashlib.sha256(raw).hexdigest()[:32]


def federation_policy_class(principal: Principal, federation: Federation) -> str:
    """``policy_class`` over every city and dataset: one key part for a whole response."""
    digest = hashlib.sha256()
    for city in federation.cities.values():
        for dataset in city.datasets:
            digest.update(policy_class(principal, city, dataset).encode("ascii"))
    digest.update(b"anonymous" if principal.anonymous else b"token")
    return digest.hexdigest()[:32]


def _canonical(grant: Grant) -> object:
    a, r = grant.audience, grant.rules
    return [
        [a.public, sorted(a.any_scopes), sorted(a.all_scopes), sorted(a.clients)],
        [
            sorted(r.drop),
            sorted(r.keep) if r.keep is not None else None,
            r.coarsen_m,
            r.older_than_min,
            r.aggregate_only,
            r.min_group_size,
            [
                [f.attribute, f.op, list(f.value) if isinstance(f.value, tuple) else f.value]
                for f in r.where
            ],
        ],
    ]


def decide_order(
    decision: Decision, city: CityConfig, dataset: str, attribute: str | None
) -> Decision:
    """``decision``, or a refusal when it allows the rows but the caller orders them by an
    ``attribute`` the grant hides: the order would reveal what the grant removes (ADR 0019)."""
    if attribute is None or not decision.allowed or decision.rules.shows(attribute):
        return decision
    return Decision(
        False,
        f"{city.name} does not share the attribute {attribute} of {dataset}: "
        "it cannot be used to order the answer",
        ErrorCode.FORBIDDEN,
        policy_class=decision.policy_class,
    )
