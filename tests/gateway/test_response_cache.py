"""The response cache's parts (gateway/graphql/response_cache.py): keys, lifetimes, bounds, what
may be shared, audit lines."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.federation.guards import ResponseCacheOptions
from gateway.federation.model import (
    Access,
    AdapterSpec,
    CityConfig,
    DatasetConfig,
    Federation,
)
from gateway.graphql.response_cache import (
    PolicyClasses,
    ResponseCache,
    Stored,
    response_key,
    shareable,
)
from gateway.policy.audit import AuditLog
from gateway.policy.audit_trail import AuditLine, AuditTrail
from gateway.policy.decisions import Decision
from tests.support.manual_clock import ManualClock


def cache(clock: ManualClock, **options: Any) -> ResponseCache:
    max_ttl = options.pop("max_ttl_s", None)
    return ResponseCache(ResponseCacheOptions(**options), clock, max_ttl_s=max_ttl)


def test_a_stored_answer_is_served_until_its_ttl() -> None:
    clock = ManualClock()
    responses = cache(clock, ttl_s=2.0)
    assert responses.put("k", Stored(b'{"data":{}}'))
    assert responses.get("k") == Stored(b'{"data":{}}')
    clock.advance(1.9)
    assert responses.get("k") is not None
    clock.advance(0.2)
    assert responses.get("k") is None


def test_the_upstream_freshness_caps_the_ttl_and_zero_turns_it_off() -> None:
    clock = ManualClock()
    capped = cache(clock, ttl_s=10.0, max_ttl_s=1.0)
    capped.put("k", Stored(b"x"))
    clock.advance(1.5)
    assert capped.get("k") is None
    off = cache(clock, ttl_s=10.0, max_ttl_s=0.0)
    assert not off.enabled
    assert not off.put("k", Stored(b"x"))
    assert off.get("k") is None


def test_the_cache_is_bounded_in_bytes() -> None:
    responses = cache(ManualClock(), ttl_s=5.0, max_bytes=4096, max_entry_bytes=2048)
    assert not responses.put("huge", Stored(b"x" * 3000))
    for i in range(10):
        assert responses.put(f"k{i}", Stored(b"x" * 1000))
    kept = [i for i in range(10) if responses.get(f"k{i}") is not None]
    assert 0 < len(kept) <= 4
    assert responses.get("k9") is not None


def test_the_key_holds_document_operation_variables_and_policy_class() -> None:
    base = response_key("{ a }", None, {"x": 1, "y": [1, 2]}, "class-1")
    assert base == response_key("{ a }", None, {"y": [1, 2], "x": 1}, "class-1")
    assert (
        len(
            {
                base,
                response_key("{ b }", None, {"x": 1, "y": [1, 2]}, "class-1"),
                response_key("{ a }", "Op", {"x": 1, "y": [1, 2]}, "class-1"),
                response_key("{ a }", None, {"x": 2, "y": [1, 2]}, "class-1"),
                response_key("{ a }", None, {"x": 1, "y": [1, 2]}, "class-2"),
            }
        )
        == 5
    )
    assert response_key("{ a }", None, None, "c") == response_key("{ a }", None, {}, "c")


def federation() -> Federation:
    datasets = {
        "WeatherObserved": DatasetConfig("WeatherObserved", Access.public_access()),
        "WaterConsumptionObserved": DatasetConfig(
            "WaterConsumptionObserved", Access.any_scope("caap:utility:read")
        ),
    }
    city = CityConfig("malmo", "Malmö", "1280", AdapterSpec("ngsi-ld", {}, None), datasets)
    return Federation(cities={"malmo": city})


def test_callers_who_see_the_same_data_share_a_policy_class() -> None:
    classes = PolicyClasses(federation())
    utility = Principal("alice", "app-1", frozenset({"caap:utility:read"}))
    same_rights = Principal("bob", "app-2", frozenset({"caap:utility:read", "other"}))
    plain_token = Principal("carol", "app-3", frozenset({"other"}))
    assert classes.of(utility) == classes.of(same_rights)
    assert classes.of(utility) != classes.of(plain_token)
    assert classes.of(ANONYMOUS) != classes.of(plain_token)
    assert classes.of(ANONYMOUS) == classes.of(Principal())
    for principal in (utility, plain_token):
        assert str(principal.client_id) not in classes.of(principal)


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("{ cities { id } }", None, True),
        ("{ cities { id } viewer { scopes } }", None, False),
        ("{ access { dataset } }", None, False),
        ("query { ...V } fragment V on Query { viewer { anonymous } }", None, False),
        ("query { ... on Query { viewer { anonymous } } }", None, False),
        ("query A { cities { id } } query B { viewer { anonymous } }", "A", True),
        ("query A { cities { id } } query B { viewer { anonymous } }", "B", False),
    ],
)
def test_answers_about_the_caller_are_not_shared(
    source: str, name: str | None, expected: bool
) -> None:
    assert shareable(parse(source), name) is expected


def test_a_hit_writes_the_audit_lines_again_for_its_caller() -> None:
    lines: list[str] = []
    audit = AuditLog(lines.append)
    recorder = AuditTrail(audit, Principal("alice", "app"))
    decision = Decision(True, "public")
    recorder.record("malmo", "WeatherObserved", decision)
    assert recorder.lines == [AuditLine("malmo", "WeatherObserved", decision, None)]
    assert len(lines) == 1
    stored = Stored(b"{}", tuple(recorder.lines))
    stored.replay(audit, Principal("bob", "other-app"))
    assert len(lines) == 2
    assert '"client_id":"other-app"' in lines[1]
    assert '"city":"malmo"' in lines[1]
    stored.replay(None, ANONYMOUS)  # no audit log: nothing to write
