"""The ``gateway`` section's mode, limits, rate_limit, response_cache and persisted_queries."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from adapters.registry import AdapterRegistry
from gateway.federation import FederationError, parse_federation
from gateway.federation.guards import (
    PersistedQueryOptions,
    QueryLimits,
    Rate,
    RateLimitOptions,
    ResponseCacheOptions,
)
from gateway.federation.guards_parse import GuardOptions, parse_guards
from gateway.federation.report import Report

SOURCE = "federation.yaml"
QUERY = "{ cities { id } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()


def guards(section: str, source: str = SOURCE) -> tuple[GuardOptions, list[str]]:
    report = Report(source)
    options = parse_guards(report, yaml.safe_load(section))
    return options, [str(p) for p in report.problems]


def test_defaults() -> None:
    options, problems = guards("{}")
    assert problems == []
    assert options["mode"] == "production"
    assert options["limits"] == QueryLimits()
    assert (options["limits"].depth, options["limits"].aliases, options["limits"].cost) == (
        8,
        15,
        5000,
    )
    assert options["limits"].batch == 0
    assert options["rate_limit"] == RateLimitOptions()
    assert options["response_cache"] == ResponseCacheOptions()
    assert options["persisted_queries"] == PersistedQueryOptions()


def test_every_key_is_read() -> None:
    options, problems = guards(
        """
        mode: development
        limits: {depth: 5, introspection_depth: 12, aliases: 3, directives: 4, fields: 50,
                 root_fields: 2, tokens: 300, characters: 900, body_bytes: 64 KiB, batch: 5,
                 cost: 1000, cost_per_city: 7}
        rate_limit: {requests_per_s: 2.5, burst: 4, clients: {app: {requests_per_s: 100}}}
        response_cache: {ttl_s: 0, max_bytes: 1 MiB, max_entry_bytes: 64 KiB}
        persisted_queries: {apq: false, max_bytes: 2 MiB}
        """
    )
    assert problems == []
    assert options["mode"] == "development"
    assert options["limits"] == QueryLimits(
        depth=5,
        introspection_depth=12,
        aliases=3,
        directives=4,
        fields=50,
        root_fields=2,
        tokens=300,
        characters=900,
        body_bytes=65536,
        batch=5,
        cost=1000,
        cost_per_city=7,
    )
    limits = options["rate_limit"]
    assert limits.default == Rate(2.5, 4)
    assert limits.for_client("app") == Rate(100.0, 4)  # burst inherited from the default
    assert limits.for_client("other") == limits.for_client(None) == Rate(2.5, 4)
    assert options["response_cache"] == ResponseCacheOptions(0.0, 1048576, 65536)
    assert options["persisted_queries"] == PersistedQueryOptions(apq=False, max_bytes=2097152)


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ("{mode: prod}", "gateway.mode: must be one of production, development"),
        ("{limits: {depth: 0}}", "gateway.limits.depth: must be a whole number, 1 or more"),
        ("{limits: {cost: 2.5}}", "gateway.limits.cost: must be a whole number, 1 or more"),
        ("{limits: {batch: -1}}", "gateway.limits.batch: must be a whole number, 0 or more"),
        (
            "{limits: {body_bytes: 10}}",
            "gateway.limits.body_bytes: must be a size of at least 1 KiB: bytes, "
            'or such as "256 MiB"',
        ),
        (
            "{limits: {characters: 5000, body_bytes: 2 KiB}}",
            "gateway.limits.characters: must be at most body_bytes (2048)",
        ),
        (
            "{limits: {height: 3}}",
            "gateway.limits.height: unknown key (allowed: depth, introspection_depth, aliases, "
            "directives, fields, root_fields, tokens, characters, cost, cost_per_city, "
            "body_bytes, upstream_bytes, batch)",
        ),
        (
            "{rate_limit: {requests_per_s: -1}}",
            "gateway.rate_limit.requests_per_s: must be a number of requests per second, "
            "0 (no limit) or more",
        ),
        ("{rate_limit: {burst: 0}}", "gateway.rate_limit.burst: must be a whole number, 1 or more"),
        (
            "{rate_limit: {clients: [a]}}",
            "gateway.rate_limit.clients: must be a mapping of client ids to rates",
        ),
        (
            "{rate_limit: {clients: {app: {rps: 1}}}}",
            "gateway.rate_limit.clients.app.rps: unknown key (allowed: requests_per_s, burst)",
        ),
        (
            "{response_cache: {ttl_s: -1}}",
            "gateway.response_cache.ttl_s: must be a number of seconds, 0 or more, such as 30",
        ),
        (
            "{response_cache: {max_bytes: 1 MiB, max_entry_bytes: 2 MiB}}",
            "gateway.response_cache.max_entry_bytes: must be at most max_bytes (1048576)",
        ),
        (
            "{persisted_queries: {apq: yes please}}",
            "gateway.persisted_queries.apq: must be true or false",
        ),
        (
            "{persisted_queries: {only_allow_listed: true}}",
            "gateway.persisted_queries.only_allow_listed: needs an allow_list file",
        ),
        (
            "{persisted_queries: {allow_list: missing.json}}",
            "gateway.persisted_queries.allow_list: file missing.json not found",
        ),
    ],
)
def test_problems(section: str, problem: str) -> None:
    _, problems = guards(section)
    assert problems == [f"{SOURCE}: {problem}"]


def write(path: Path, data: Any) -> Path:
    path.write_bytes(orjson.dumps(data))
    return path


def test_an_allow_list_is_read_next_to_the_federation_file(tmp_path: Path) -> None:
    write(tmp_path / "trusted.json", {SHA: QUERY})
    options, problems = guards(
        "{persisted_queries: {allow_list: trusted.json, only_allow_listed: true}}",
        str(tmp_path / "federation.yaml"),
    )
    assert problems == []
    assert options["persisted_queries"].allow_list == {SHA: QUERY}
    assert options["persisted_queries"].only_allow_listed


def test_an_apollo_manifest_is_read_too(tmp_path: Path) -> None:
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": SHA, "name": "Cities", "type": "query", "body": QUERY}],
    }
    write(tmp_path / "manifest.json", manifest)
    options, problems = guards(
        "{persisted_queries: {allow_list: manifest.json}}", str(tmp_path / "federation.yaml")
    )
    assert problems == []
    assert options["persisted_queries"].allow_list == {SHA: QUERY}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"abc": QUERY}, "entry abc: the id must be 64 lower-case hex digits (SHA-256)"),
        ({"0" * 64: QUERY}, "entry 0000000000000000: the id is not the SHA-256 of the document"),
        ({SHA: ""}, f"entry {SHA[:16]}: the document must be a non-empty string"),
        ([QUERY], "must hold a JSON object of sha256 -> document, or an Apollo manifest"),
        (
            {"format": "apollo-persisted-query-manifest", "version": 2, "operations": []},
            "an Apollo manifest needs version 1 and a list of operations",
        ),
    ],
)
def test_allow_list_problems(tmp_path: Path, content: Any, problem: str) -> None:
    write(tmp_path / "trusted.json", content)
    _, problems = guards(
        "{persisted_queries: {allow_list: trusted.json}}", str(tmp_path / "federation.yaml")
    )
    assert problems == [
        f"{tmp_path / 'federation.yaml'}: gateway.persisted_queries.allow_list: {problem}"
    ]


def test_an_allow_list_that_is_not_json(tmp_path: Path) -> None:
    (tmp_path / "trusted.json").write_text("{nope", encoding="utf-8")
    _, problems = guards(
        "{persisted_queries: {allow_list: trusted.json}}", str(tmp_path / "federation.yaml")
    )
    assert len(problems) == 1
    assert "gateway.persisted_queries.allow_list: file " in problems[0]
    assert "is not JSON" in problems[0]


def test_the_loader_reads_the_section_and_reports_in_file_order(tmp_path: Path) -> None:
    text = """
gateway:
  mode: development
  limits: {depth: 0}
cities:
  malmo:
    name: Malmö
    kommunkod: "1280"
    adapter: {kind: ngsi-ld, url: "http://127.0.0.1:9108"}
    datasets: {WeatherObserved: {access: public}}
"""
    registry = AdapterRegistry.from_entry_points()
    with pytest.raises(FederationError) as caught:
        parse_federation(text, SOURCE, registry, {})
    assert [str(p) for p in caught.value.problems] == [
        f"{SOURCE}: gateway.limits.depth: must be a whole number, 1 or more"
    ]
    federation = parse_federation(text.replace("depth: 0", "depth: 4"), SOURCE, registry, {})
    assert federation.options.mode == "development"
    assert federation.options.limits.depth == 4
