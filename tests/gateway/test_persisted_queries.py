"""APQ and the allow-list (gateway/graphql/persisted_queries.py), without HTTP."""

from __future__ import annotations

import hashlib
from typing import Any

from gateway.federation.guards import PersistedQueryOptions
from gateway.graphql.persisted_queries import (
    NOT_ALLOWED,
    NOT_FOUND,
    NOT_SUPPORTED,
    PersistedQueries,
)

QUERY = "{ cities { id } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
LISTED = "{ cities { name } }"
LISTED_SHA = hashlib.sha256(LISTED.encode()).hexdigest()


def ext(sha: str = SHA, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha}}


def code(store: PersistedQueries, query: str | None, extensions: dict[str, Any] | None) -> str:
    error = store.resolve(query, extensions).error
    assert error is not None
    return str((error.extensions or {})["code"])


def test_the_apq_flow() -> None:
    store = PersistedQueries(PersistedQueryOptions())
    assert code(store, None, ext()) == NOT_FOUND
    lookup = store.resolve(QUERY, ext())
    assert (lookup.document, lookup.register, lookup.error) == (QUERY, SHA, None)
    store.register(SHA, QUERY)
    assert store.resolve(None, ext()).document == QUERY


def test_a_hash_that_does_not_match_its_query_is_refused() -> None:
    store = PersistedQueries(PersistedQueryOptions())
    error = store.resolve("{ other }", ext()).error
    assert error is not None
    assert error.message == "provided sha does not match query"
    assert error.extensions == {"code": "BAD_USER_INPUT"}


def test_a_malformed_persisted_query_extension_is_bad_input() -> None:
    store = PersistedQueries(PersistedQueryOptions())
    assert code(store, None, ext(version=2)) == "BAD_USER_INPUT"
    assert code(store, None, ext(sha="ABC")) == "BAD_USER_INPUT"
    assert code(store, None, {"persistedQuery": "x"}) == "BAD_USER_INPUT"
    assert code(store, None, None) == "BAD_USER_INPUT"


def test_with_apq_off_hashes_are_not_supported() -> None:
    store = PersistedQueries(PersistedQueryOptions(apq=False))
    assert code(store, None, ext()) == NOT_SUPPORTED
    assert code(store, QUERY, ext()) == NOT_SUPPORTED
    assert store.resolve(QUERY, None).document == QUERY


def test_the_allow_list_is_always_known() -> None:
    store = PersistedQueries(PersistedQueryOptions(apq=False, allow_list={LISTED_SHA: LISTED}))
    assert store.resolve(None, ext(LISTED_SHA)).document == LISTED
    assert code(store, None, ext()) == NOT_FOUND
    assert store.resolve(QUERY, None).document == QUERY  # not enforced


def test_only_allow_listed_documents_run_when_enforced() -> None:
    options = PersistedQueryOptions(allow_list={LISTED_SHA: LISTED}, only_allow_listed=True)
    store = PersistedQueries(options)
    assert store.resolve(None, ext(LISTED_SHA)).document == LISTED
    assert store.resolve(LISTED, None).document == LISTED
    assert code(store, QUERY, None) == NOT_ALLOWED
    assert code(store, QUERY, ext()) == NOT_ALLOWED  # APQ cannot register around it
    assert code(store, None, ext()) == NOT_FOUND


def test_the_store_is_bounded_in_bytes() -> None:
    store = PersistedQueries(PersistedQueryOptions(max_bytes=1024))
    documents = [f"{{ cities {{ id }} }} # {i:04d}" + " " * 300 for i in range(10)]
    for document in documents:
        store.register(hashlib.sha256(document.encode()).hexdigest(), document)
    known = [
        d
        for d in documents
        if store.resolve(None, ext(hashlib.sha256(d.encode()).hexdigest())).document
    ]
    assert 0 < len(known) < len(documents)
    assert documents[-1] in known
