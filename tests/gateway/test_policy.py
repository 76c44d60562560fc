"""Decisions: caller x city x dataset -> allowed (with the grant's rules) or denied, and why;
and the policy class that cache keys will carry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.errors import ErrorCode
from gateway.federation.model import (
    Access,
    AdapterSpec,
    Audience,
    CityConfig,
    DatasetConfig,
    Federation,
    Grant,
    Rules,
)
from gateway.policy import decisions
from gateway.policy.decisions import decide, federation_policy_class, matches, policy_class
from gateway.query.entity_request import EntityRequest
from gateway.query.planner import plan

ROOT = Path(__file__).resolve().parents[2]
TRAFFIC = Access(
    (
        Grant(Audience(clients=frozenset({"trafikverket"}))),
        Grant(
            Audience(all_scopes=frozenset({"caap:traffic:read", "caap:research"})),
            Rules(drop=frozenset({"address"}), coarsen_m=500.0),
        ),
        Grant(
            Audience(any_scopes=frozenset({"caap:traffic:read"})),
            Rules(keep=frozenset({"intensity"})),
        ),
        Grant(Audience(public=True), Rules(aggregate_only=True, min_group_size=5)),
    )
)
WATER = Access.any_scope("caap:utility:read")


def city(**datasets: Access) -> CityConfig:
    return CityConfig(
        "malmo",
        "Malmö",
        "1280",
        AdapterSpec("stub", {}, None),
        {name: DatasetConfig(name, access) for name, access in datasets.items()},
    )


MALMO = city(
    TrafficFlowObserved=TRAFFIC,
    WaterConsumptionObserved=WATER,
    WeatherObserved=Access.public_access(),
)
RESEARCHER = Principal("r1", "uni", frozenset({"caap:traffic:read", "caap:research"}))
READER = Principal("r2", "app", frozenset({"caap:traffic:read"}))
AGENCY = Principal("t1", "trafikverket", frozenset())
STRANGER = Principal("s1", "app", frozenset({"other"}))


def test_audiences_match_as_written() -> None:
    assert matches(ANONYMOUS, Audience(public=True))
    assert not matches(ANONYMOUS, Audience(any_scopes=frozenset({"x"})))
    assert matches(READER, Audience(any_scopes=frozenset({"x", "caap:traffic:read"})))
    assert not matches(READER, Audience(all_scopes=frozenset({"caap:traffic:read", "x"})))
    assert matches(AGENCY, Audience(clients=frozenset({"trafikverket"})))
    both = Audience(clients=frozenset({"uni"}), any_scopes=frozenset({"caap:research"}))
    assert matches(RESEARCHER, both)
    assert not matches(Principal("r3", "uni", frozenset()), both)
    assert not matches(Principal("r4", None, frozenset()), Audience(clients=frozenset({"uni"})))


def test_the_first_matching_grant_applies() -> None:
    assert decide(AGENCY, MALMO, "TrafficFlowObserved").rules == Rules()
    assert decide(RESEARCHER, MALMO, "TrafficFlowObserved").rules.coarsen_m == 500.0
    assert decide(READER, MALMO, "TrafficFlowObserved").rules.keep == frozenset({"intensity"})


def test_reasons_say_which_grant_and_which_rules() -> None:
    assert decide(ANONYMOUS, MALMO, "WeatherObserved").reason == "public"
    assert decide(AGENCY, MALMO, "TrafficFlowObserved").reason == "token with client trafikverket"
    assert decide(RESEARCHER, MALMO, "TrafficFlowObserved").reason == (
        "token with scopes caap:research, caap:traffic:read; attributes removed: address; "
        "locations coarsened to a 500 m grid"
    )


def test_aggregate_only_allows_statistics_and_nothing_else() -> None:
    rows = decide(ANONYMOUS, MALMO, "TrafficFlowObserved")
    assert (rows.allowed, rows.code) == (False, ErrorCode.FORBIDDEN)
    assert "only as statistics" in rows.reason
    stats = decide(ANONYMOUS, MALMO, "TrafficFlowObserved", statistic="intensity")
    assert stats.allowed
    assert stats.reason == (
        "public; statistics only, never rows; statistics over fewer than 5 entities withheld"
    )


def test_statistics_of_an_attribute_that_is_not_shown_are_denied() -> None:
    kept = decide(READER, MALMO, "TrafficFlowObserved", statistic="intensity")
    hidden = decide(READER, MALMO, "TrafficFlowObserved", statistic="averageVehicleSpeed")
    removed = decide(RESEARCHER, MALMO, "TrafficFlowObserved", statistic="address")
    assert kept.allowed
    assert not hidden.allowed
    assert not removed.allowed
    assert hidden.reason == (
        "Malmö does not share the attribute averageVehicleSpeed of TrafficFlowObserved"
    )


def test_location_filters_are_denied_when_locations_are_hidden() -> None:
    decision = decide(READER, MALMO, "TrafficFlowObserved", by_location=True)
    assert not decision.allowed
    assert "near, within" in decision.reason
    assert decide(RESEARCHER, MALMO, "TrafficFlowObserved", by_location=True).allowed


def test_anonymous_callers_are_told_they_need_a_token() -> None:
    decision = decide(ANONYMOUS, MALMO, "WaterConsumptionObserved")
    assert (decision.allowed, decision.code) == (False, ErrorCode.UNAUTHENTICATED)
    assert (
        decision.reason
        == "WaterConsumptionObserved of Malmö needs a token with scope caap:utility:read"
    )


def test_callers_with_the_wrong_token_are_forbidden() -> None:
    decision = decide(STRANGER, MALMO, "WaterConsumptionObserved")
    assert (decision.allowed, decision.code) == (False, ErrorCode.FORBIDDEN)


def test_a_dataset_that_is_not_listed_is_denied_to_everyone() -> None:
    for principal in (ANONYMOUS, AGENCY, RESEARCHER):
        decision = decide(principal, MALMO, "Beach")
        assert (decision.allowed, decision.code) == (False, ErrorCode.FORBIDDEN)
        assert decision.reason == "Malmö does not share Beach"


def test_denial_reasons_do_not_name_approved_clients() -> None:
    only_clients = city(Beach=Access((Grant(Audience(clients=frozenset({"secret-partner"}))),)))
    reason = decide(STRANGER, only_clients, "Beach").reason
    assert "secret-partner" not in reason
    assert reason == "Beach of Malmö needs a token of an approved client"


def test_callers_that_get_the_same_grant_share_a_policy_class() -> None:
    other_reader = Principal("someone-else", "other-app", frozenset({"caap:traffic:read", "x"}))
    assert policy_class(READER, MALMO, "TrafficFlowObserved") == policy_class(
        other_reader, MALMO, "TrafficFlowObserved"
    )
    classes = {
        policy_class(p, MALMO, "TrafficFlowObserved")
        for p in (ANONYMOUS, READER, RESEARCHER, AGENCY)
    }
    assert len(classes) == 4


def test_a_policy_class_holds_no_identity() -> None:
    value = policy_class(RESEARCHER, MALMO, "TrafficFlowObserved")
    assert len(value) == 32
    assert all(part not in value for part in ("r1", "uni", "caap"))


def test_the_policy_class_changes_when_the_grant_changes() -> None:
    changed = city(
        TrafficFlowObserved=Access(
            (Grant(Audience(any_scopes=frozenset({"caap:traffic:read"})), Rules(coarsen_m=100.0)),)
        )
    )
    assert policy_class(READER, MALMO, "TrafficFlowObserved") != policy_class(
        READER, changed, "TrafficFlowObserved"
    )


STABILITY = """
from gateway.federation.model import *
from gateway.policy.decisions import policy_class
from gateway.auth.principal import Principal
scopes = frozenset(f"scope:{i}" for i in range(20))
access = Access((Grant(Audience(all_scopes=scopes), Rules(drop=scopes)),))
city = CityConfig("malmo", "Malmö", "1280", AdapterSpec("stub", {}, None),
                  {"T": DatasetConfig("T", access)})
print(policy_class(Principal("s", "c", scopes), city, "T"))
"""


@pytest.mark.parametrize("seeds", [("1", "2")])
def test_the_policy_class_is_stable_across_processes(seeds: tuple[str, str]) -> None:
    """Sets are hashed in sorted order, not in the per-process hash order."""
    values = {
        subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
            [sys.executable, "-c", STABILITY],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        for seed in seeds
    }
    assert len(values) == 1
    assert len(values.pop()) == 32


def test_denied_anonymous_and_denied_tokens_differ() -> None:
    assert policy_class(ANONYMOUS, MALMO, "WaterConsumptionObserved") != policy_class(
        STRANGER, MALMO, "WaterConsumptionObserved"
    )


def test_the_federation_policy_class_covers_every_dataset() -> None:
    fed = Federation(cities={"malmo": MALMO})
    assert federation_policy_class(READER, fed) == federation_policy_class(
        Principal("x", "y", frozenset({"caap:traffic:read"})), fed
    )
    assert federation_policy_class(READER, fed) != federation_policy_class(RESEARCHER, fed)
    assert federation_policy_class(ANONYMOUS, fed) != federation_policy_class(STRANGER, fed)


def test_the_planner_looks_each_citys_grant_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: the decision and the policy class of a step come from one grant lookup."""
    federation = Federation({"malmo": MALMO})
    looked_up: list[str] = []
    real = decisions.grant_for

    def counted(principal: Principal, city: CityConfig, dataset: str) -> tuple[int, Grant] | None:
        looked_up.append(city.id)
        return real(principal, city, dataset)

    monkeypatch.setattr(decisions, "grant_for", counted)
    request = EntityRequest("TrafficFlowObserved", None, None, None, None, None, 10, None)
    (step,) = plan(request, federation, READER)
    assert looked_up == ["malmo"]
    assert step.rules == Rules(keep=frozenset({"intensity"}))
    assert step.policy_class == policy_class(READER, MALMO, "TrafficFlowObserved")


def test_where_on_an_attribute_that_is_not_shown_is_denied() -> None:
    shown = decide(READER, MALMO, "TrafficFlowObserved", filtered=["intensity"])
    hidden = decide(READER, MALMO, "TrafficFlowObserved", filtered=["intensity", "laneId"])
    dropped = decide(RESEARCHER, MALMO, "TrafficFlowObserved", filtered=["address"])
    assert shown.allowed
    assert (hidden.allowed, hidden.code) == (False, ErrorCode.FORBIDDEN)
    assert hidden.reason == (
        "Malmö does not share the attribute laneId of TrafficFlowObserved: "
        "where cannot filter on it"
    )
    assert not dropped.allowed
