"""Automatic persisted queries (Apollo APQ) and the allow-list of trusted documents.

A client sends ``extensions.persistedQuery = {version: 1, sha256Hash}`` without the
query; an unknown hash gets ``PERSISTED_QUERY_NOT_FOUND``, and the client sends the
query with the hash once, which registers it (after it passed the limits and
validation). Documents of the allow-list are always known; with ``only_allow_listed``
nothing else runs, by hash or by text (``QUERY_NOT_IN_ALLOW_LIST``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import GraphQLError

from gateway.federation.allow_list import sha256_hex
from gateway.federation.guards import PersistedQueryOptions
from gateway.graphql.limits.refusal import bad_input

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_ALLOWED = "QUERY_NOT_IN_ALLOW_LIST"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_OVERHEAD = 100


@dataclass(frozen=True, slots=True)
class Lookup:
    """The document to run, or the error to answer; ``register``: the hash to store the
    document under once it proves valid."""

    document: str | None = None
    error: GraphQLError | None = None
    register: str | None = None


class PersistedQueries:
    """The APQ store (bounded in bytes, least recently used first out) and the allow-list."""

    def __init__(self, options: PersistedQueryOptions) -> None:
        self._apq = options.apq and not options.only_allow_listed
        self._allowed = options.allow_list
        self._only_allowed = options.only_allow_listed
        self._store: LRUCache[str, str] = LRUCache(
            maxsize=options.max_bytes, getsizeof=lambda d: len(d) + _OVERHEAD
        )

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> Lookup:
        """What the request's ``query`` and ``extensions`` ask to run."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None:
                return Lookup(error=bad_input("'query' must be a non-empty string"))
            if self._only_allowed and sha256_hex(query) not in self._allowed:
                return Lookup(error=_coded(NOT_ALLOWED, "only allow-listed documents run here"))
            return Lookup(query)
        sha = _hash_of(persisted)
        if sha is None:
            message = "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}"
            return Lookup(error=bad_input(message))
        if query is None:
            return self._known(sha)
        if sha256_hex(query) != sha:
            return Lookup(error=bad_input("provided sha does not match query"))
        if sha in self._allowed:
            return Lookup(query)
        if self._only_allowed:
            return Lookup(error=_coded(NOT_ALLOWED, "only allow-listed documents run here"))
        if not self._apq:
            return Lookup(error=_coded(NOT_SUPPORTED, "PersistedQueryNotSupported"))
        return Lookup(query, register=sha)

    def register(self, sha: str, document: str) -> None:
        """Remember ``document`` under its hash (when it fits in the store)."""
        if len(document) + _OVERHEAD <= self._store.maxsize:
            self._store[sha] = document

    def _known(self, sha: str) -> Lookup:
        found = self._allowed.get(sha) or (self._store.get(sha) if self._apq else None)
        if found is not None:
            return Lookup(found)
        if not self._apq and not self._allowed:
            return Lookup(error=_coded(NOT_SUPPORTED, "PersistedQueryNotSupported"))
        return Lookup(error=_coded(NOT_FOUND, "PersistedQueryNotFound"))


def _hash_of(persisted: object) -> str | None:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        return None
    sha = persisted.get("sha256Hash")
    return sha if isinstance(sha, str) and _SHA256.fullmatch(sha) else None


def _coded(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
