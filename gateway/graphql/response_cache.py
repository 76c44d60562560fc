"""Whole GraphQL responses kept as bytes for a short time, served before GraphQL runs.

The key is the document's SHA-256, the operation name, the variables and the caller's
policy class over the whole federation (``federation_policy_class``): callers whose
tokens would see the same data share entries; no token, subject or client id is part of
it. Only complete answers are kept: no ``errors`` entry at all, no city served stale,
and no field that answers about the caller (``viewer``, ``access``). A hit writes the
audit lines the original request wrote (its ``AuditTrail``), for the caller of the hit.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from cachetools import LRUCache, TTLCache
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from gateway.auth.principal import Principal
from gateway.clock import Clock
from gateway.federation.guards import ResponseCacheOptions
from gateway.federation.model import Federation
from gateway.policy.audit import AuditLog
from gateway.policy.audit_trail import AuditLine
from gateway.policy.decisions import federation_policy_class

PRIVATE_ROOT_FIELDS = frozenset({"viewer", "access"})
"""Root fields whose answer depends on more than the caller's policy class."""
_ENTRY_OVERHEAD = 200


@dataclass(frozen=True, slots=True)
class Stored:
    """A cached answer: the response body and its audit lines."""

    body: bytes
    audit: tuple[AuditLine, ...] = ()

    def replay(self, audit: AuditLog | None, principal: Principal) -> None:
        """Write the audit lines for ``principal``, who is being served this answer."""
        if audit is not None:
            audit.replay(principal, [line.text for line in self.audit])


class ResponseCache:
    """Bounded in bytes; entries expire ``ttl_s`` after they were stored, and never later than
    ``max_ttl_s`` (the upstream cache's freshness: an answer is not kept longer than its
    parts would be)."""

    def __init__(
        self,
        options: ResponseCacheOptions,
        clock: Clock = time.monotonic,
        *,
        max_ttl_s: float | None = None,
    ) -> None:
        ttl = options.ttl_s if max_ttl_s is None else min(options.ttl_s, max_ttl_s)
        self.enabled = ttl > 0
        self.lifetime_s = max(ttl, 0.0)
        """How old an answer may be when served (0: made after the request arrived)."""
        self._max_entry = options.max_entry_bytes
        self._entries: TTLCache[str, Stored] = TTLCache(
            maxsize=options.max_bytes,
            ttl=max(ttl, 1e-9),
            timer=clock,
            getsizeof=lambda s: len(s.body) + _ENTRY_OVERHEAD,
        )

    def get(self, key: str) -> Stored | None:
        """The answer stored under ``key``, unless it expired."""
        return self._entries.get(key) if self.enabled else None

    def put(self, key: str, stored: Stored) -> bool:
        """Keep ``stored`` (not when too large, or when the cache is off); True when kept."""
        if not self.enabled or len(stored.body) + _ENTRY_OVERHEAD > self._max_entry:
            return False
        self._entries[key] = stored
        return True


def response_key(
    document: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    policy_class: str,
) -> str:
    """The cache key of one request, as hex."""
    digest = hashlib.sha256(policy_class.encode("ascii"))
    digest.update(b"\0" + hashlib.sha256(document.encode("utf-8")).digest())
    digest.update(b"\0" + (operation_name or "").encode("utf-8"))
    digest.update(b"\0" + orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


class PolicyClasses:
    """``federation_policy_class`` per kind of caller, remembered (it hashes every dataset)."""

    def __init__(self, federation: Federation, max_entries: int = 10_000) -> None:
        self._federation = federation
        self._known: LRUCache[tuple[bool, str | None, frozenset[str]], str] = LRUCache(
            maxsize=max_entries
        )

    def of(self, principal: Principal) -> str:
        """The class of ``principal``: what its decisions depend on, hashed."""
        kind = (principal.anonymous, principal.client_id, principal.scopes)
        found = self._known.get(kind)
        if found is None:
            found = self._known[kind] = federation_policy_class(principal, self._federation)
        return found


def shareable(document: DocumentNode, operation_name: str | None) -> bool:
    """False when the operation selects a root field about the caller (``viewer``, ...)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return all(
        _public(op.selection_set, fragments, set())
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        and (operation_name is None or (op.name is not None and op.name.value == operation_name))
    )


def _public(
    node: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], seen: set[str]
) -> bool:
    for selection in node.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in PRIVATE_ROOT_FIELDS:
                return False
        elif isinstance(selection, InlineFragmentNode):
            if not _public(selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None and not _public(fragment.selection_set, fragments, seen):
                return False
    return True
