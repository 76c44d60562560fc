"""The policy language of ``access``: what it means, and every mistake named by city,
dataset and rule."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import pytest

from adapters.contract import AdapterContext, AdapterFactory
from adapters.registry import AdapterRegistry, Registered
from gateway.federation import (
    Access,
    Audience,
    AuditConfig,
    Federation,
    FederationError,
    Grant,
    RowFilter,
    Rules,
    parse_federation,
)

SOURCE = "federation.yaml"


class StubAdapter:
    kind: ClassVar[str] = "stub"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        pass

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> object:
        return dict(config)


REGISTRY = AdapterRegistry(
    [Registered(kind="stub", factory=cast(AdapterFactory, StubAdapter), origin="tests")]
)


def federation(access: str, *, head: str = "") -> Federation:
    return parse_federation(_document(access, head), SOURCE, REGISTRY, {})


def problems(access: str) -> list[str]:
    with pytest.raises(FederationError) as caught:
        federation(access)
    return [f"{p.key}: {p.message}" for p in caught.value.problems]


def _document(access: str, head: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(access).strip(), " " * 10)
    return (
        f"{textwrap.dedent(head)}cities:\n"
        "  malmo:\n"
        "    name: Malmö\n"
        '    kommunkod: "1280"\n'
        "    adapter: {kind: stub}\n"
        "    datasets:\n"
        "      WeatherObserved: {access: public}\n"
        "      TrafficFlowObserved:\n"
        "        access:\n"
        f"{body}\n"
    )


def traffic(fed: Federation) -> Access:
    return fed.cities["malmo"].datasets["TrafficFlowObserved"].access


KEY = "cities.malmo.datasets.TrafficFlowObserved.access"


def test_every_rule_is_read_into_the_model() -> None:
    access = traffic(
        federation(
            """
            - clients: [trafikverket, smhi]
            - scopes: {all_of: [caap:traffic:read, caap:research], any_of: [a, b]}
              drop: [address, location]
              coarsen_m: 500
              older_than_min: 60
              where:
                - {attribute: laneId, op: in, value: [1, 2]}
                - {attribute: laneDirection, op: eq, value: forward}
                - {attribute: intensity, op: ge, value: 0.5}
            - scopes: [caap:traffic:read]
              keep: [intensity, location]
            - {public: true, aggregate_only: true, min_group_size: 5}
            """
        )
    )
    assert access == Access(
        (
            Grant(Audience(clients=frozenset({"trafikverket", "smhi"}))),
            Grant(
                Audience(
                    any_scopes=frozenset({"a", "b"}),
                    all_scopes=frozenset({"caap:traffic:read", "caap:research"}),
                ),
                Rules(
                    drop=frozenset({"address", "location"}),
                    coarsen_m=500.0,
                    older_than_min=60.0,
                    where=(
                        RowFilter("laneId", "in", (1, 2)),
                        RowFilter("laneDirection", "eq", "forward"),
                        RowFilter("intensity", "ge", 0.5),
                    ),
                ),
            ),
            Grant(
                Audience(any_scopes=frozenset({"caap:traffic:read"})),
                Rules(keep=frozenset({"intensity", "location"})),
            ),
            Grant(Audience(public=True), Rules(aggregate_only=True, min_group_size=5)),
        )
    )
    assert access.public


def test_the_short_forms_still_mean_what_they_meant() -> None:
    assert traffic(federation("public")) == Access.public_access()
    assert traffic(federation("{scopes: [a, b]}")) == Access.any_scope("a", "b")
    assert traffic(federation("[public]")) == Access.public_access()
    assert not traffic(federation("{scopes: [a]}")).public


def test_one_grant_may_be_written_without_a_list() -> None:
    access = traffic(federation("{scopes: [a], coarsen_m: 250}"))
    assert access.grants == (Grant(Audience(any_scopes=frozenset({"a"})), Rules(coarsen_m=250.0)),)


def test_the_audit_section_names_a_file() -> None:
    fed = federation("public", head="audit: {file: /var/log/caap/audit.jsonl}\n")
    assert fed.audit == AuditConfig(file="/var/log/caap/audit.jsonl")
    assert federation("public").audit == AuditConfig()


@pytest.mark.parametrize(
    ("access", "problem"),
    [
        ("[]", f"{KEY}: must list at least one grant"),
        ("42", f'{KEY}: must be "public", a grant such as {{scopes: [...]}}, or a list of grants'),
        ("[open]", f'{KEY}[0]: a grant must be "public" or a mapping such as {{scopes: [...]}}'),
        ("[{drop: [x]}]", f"{KEY}[0]: say who may read: public: true, scopes, or clients"),
        (
            "{public: false}",
            f"{KEY}.public: must be true (leave it out for a grant that needs a token)",
        ),
        (
            "{public: true, scopes: [a]}",
            f"{KEY}.public: a public grant cannot also require scopes or clients",
        ),
        ("{scopes: {}}", f"{KEY}.scopes: give any_of, all_of or both"),
        (
            "{scopes: {one_of: [a]}}",
            f"{KEY}.scopes.one_of: unknown key (allowed: any_of, all_of)",
        ),
        ("{scopes: {all_of: []}}", f"{KEY}.scopes.all_of: must be a non-empty list of scopes"),
        ("{clients: []}", f"{KEY}.clients: must be a non-empty list of client ids"),
        ("{clients: [7]}", f"{KEY}.clients[0]: must be a client id: printable ASCII"),
        (
            "{public: true, drop: [street address]}",
            f"{KEY}.drop[0]: must be an attribute name: a letter or _, then letters, digits or _",
        ),
        ("{public: true, keep: [a], drop: [b]}", f"{KEY}.keep: give keep or drop, not both"),
        (
            "{public: true, coarsen_m: 0}",
            f"{KEY}.coarsen_m: must be a positive number of metres, at most 1e+06",
        ),
        (
            "{public: true, coarsen_m: '500'}",
            f"{KEY}.coarsen_m: must be a positive number of metres, at most 1e+06",
        ),
        (
            "{public: true, coarsen_m: .nan}",
            f"{KEY}.coarsen_m: must be a positive number of metres, at most 1e+06",
        ),
        (
            "{public: true, older_than_min: -5}",
            f"{KEY}.older_than_min: must be a positive number of minutes, at most 5.3e+06",
        ),
        (
            "{public: true, aggregate_only: yes please}",
            f"{KEY}.aggregate_only: must be true or false",
        ),
        (
            "{public: true, min_group_size: 5}",
            f"{KEY}.min_group_size: only with aggregate_only: true "
            "(rows shown would reveal small groups anyway)",
        ),
        (
            "{public: true, aggregate_only: true, min_group_size: 0}",
            f"{KEY}.min_group_size: must be a positive whole number",
        ),
        (
            "{public: true, where: []}",
            f"{KEY}.where: must be a non-empty list of {{attribute, op, value}} row filters",
        ),
        (
            "{public: true, where: [{attribute: laneId, op: like, value: 1}]}",
            f"{KEY}.where[0].op: unknown operator (allowed: eq, ne, lt, le, gt, ge, in)",
        ),
        (
            "{public: true, where: [{attribute: laneId, op: in, value: 1}]}",
            f"{KEY}.where[0].value: with op in: a non-empty list of strings, numbers or bools",
        ),
        (
            "{public: true, where: [{attribute: laneId, op: lt, value: true}]}",
            f"{KEY}.where[0].value: with op lt: a number or a string",
        ),
        (
            "{public: true, where: [{attribute: laneId, op: eq, value: [1]}]}",
            f"{KEY}.where[0].value: with op eq: a string, number or bool",
        ),
        (
            "{public: true, where: [{attribute: laneId, op: eq}]}",
            f"{KEY}.where[0].value: missing (required)",
        ),
        (
            "{public: true, where: [{attribute: 'lane id', op: eq, value: 1}]}",
            f"{KEY}.where[0].attribute: must be an attribute name: a letter or _, "
            "then letters, digits or _",
        ),
        (
            "[public, {scopes: [a]}]",
            f"{KEY}[1]: never applies: the grant at [0] matches every caller it would",
        ),
        (
            "[{scopes: [a], coarsen_m: 100}, {scopes: [a]}]",
            f"{KEY}[1]: never applies: the grant at [0] matches every caller it would",
        ),
        (
            "{public: true, colour: red}",
            f"{KEY}.colour: unknown key (allowed: public, scopes, clients, drop, keep, "
            "coarsen_m, older_than_min, aggregate_only, min_group_size, where)",
        ),
    ],
)
def test_each_mistake_is_named_by_city_dataset_and_rule(access: str, problem: str) -> None:
    assert problems(access) == [problem]


def test_every_mistake_of_a_grant_is_reported_at_once() -> None:
    found = problems("{scopes: [], coarsen_m: -1, where: [{attribute: x, op: like, value: 1}]}")
    assert found == [
        f"{KEY}.scopes: must be a non-empty list of scopes",
        f"{KEY}.coarsen_m: must be a positive number of metres, at most 1e+06",
        f"{KEY}.where[0].op: unknown operator (allowed: eq, ne, lt, le, gt, ge, in)",
    ]
