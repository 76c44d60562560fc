"""Issue 4, item 5 through the real gateway: cities that ask for an OAuth 2.0 token or an API
key, secrets from the environment, tokens kept on the gateway's clock, and no secret in any
answer or log line when a city refuses them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.clock import Clocks
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.graphql_client import post
from tests.support.manual_clock import ManualClock
from tests.support.metrics_text import samples, total
from tests.support.sim import Sim, running_sim

SECRET = "gr33n-tea-client-secret-4b1"
KEY = "api-key-of-lund-0c7e"
CITIES = ("malmo", "lund", "umea")
QUERY = """{ entities(type: "WeatherObserved", first: 100) {
  nodes { id city { id } }
  coverage { city { id } status message }
} }"""
NO_CACHE = {
    "cache": {"ttl_s": 0, "stale_while_revalidate_s": 0, "stale_if_error_s": 0},
    "response_cache": {"ttl_s": 0},
    "resilience": {"retries": 0},
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    protection = {
        "malmo": {
            "mode": "oauth2",
            "client_id": "caap",
            "client_secret": SECRET,
            "token_ttl_s": 600,
        },
        "lund": {"mode": "api_key", "header": "X-Api-Key", "key": KEY},
    }
    with running_sim(seed=4, cities=CITIES, protection=protection) as running:
        yield running


def federation(folder: Path, sim: Sim) -> str:
    path = write_federation(folder / "federation.yaml", sim.urls, gateway=NO_CACHE)
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    cities = document["cities"]
    cities["malmo"]["adapter"]["credentials"] = {
        "oauth2": {
            "token_url": f"{sim.urls['malmo']}/oauth/token",
            "client_id": "caap",
            "client_secret": "${CAAP_TEST_MALMO_SECRET}",
        }
    }
    cities["lund"]["adapter"]["credentials"] = {
        "api_key": {"header": "X-Api-Key", "value": "${CAAP_TEST_LUND_KEY}"}
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return str(path)


def ask(gw: GatewayServer) -> dict[str, Any]:
    response = post(gw.url, QUERY)
    assert response.status_code == 200
    assert SECRET not in response.text
    assert KEY not in response.text
    body: dict[str, Any] = response.json()
    return body


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {c["city"]["id"]: c["status"] for c in body["data"]["entities"]["coverage"]}


def tokens_issued(sim: Sim) -> int:
    return int(sim.city("malmo")["protection"]["tokens_issued"])


def test_protected_cities_answer_and_tokens_live_on_the_gateways_clock(
    sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAAP_TEST_MALMO_SECRET", SECRET)
    monkeypatch.setenv("CAAP_TEST_LUND_KEY", KEY)
    clock = ManualClock()
    before = tokens_issued(sim)
    with GatewayServer(federation(tmp_path, sim), clocks=Clocks.single(clock)) as gw:
        for _ in range(3):
            body = ask(gw)
            assert statuses(body) == dict.fromkeys(CITIES, "OK")
            assert {n["city"]["id"] for n in body["data"]["entities"]["nodes"]} == set(CITIES)
        assert tokens_issued(sim) == before + 1
        clock.advance(571)  # 600 s tokens are replaced 30 s before they expire
        assert statuses(ask(gw))["malmo"] == "OK"
        assert tokens_issued(sim) == before + 2
        sent = total(gw.url, "caap_upstream_requests_total", city="malmo")
        assert sent == 4 + 2  # four queries, two token requests: each one counted
    assert sim.city("malmo")["protection"]["refused"] == 0


def test_refused_credentials_fail_their_city_only_and_show_no_secret(
    sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    wrong_secret, wrong_key = "not-" + SECRET, "not-" + KEY
    monkeypatch.setenv("CAAP_TEST_MALMO_SECRET", wrong_secret)
    monkeypatch.setenv("CAAP_TEST_LUND_KEY", wrong_key)
    with GatewayServer(federation(tmp_path, sim)) as gw:
        response = post(gw.url, QUERY)
        sent = samples(gw.url, "caap_upstream_requests_total")
    assert sent == {  # the token request; the refused key; never a request that was not sent
        (("city", "malmo"), ("outcome", "client_error")): 1.0,
        (("city", "lund"), ("outcome", "client_error")): 1.0,
        (("city", "umea"), ("outcome", "ok")): 1.0,
    }
    text = response.text
    body = response.json()
    assert statuses(body) == {"malmo": "FAILED", "lund": "FAILED", "umea": "OK"}
    errors = {e["extensions"]["city"]: e for e in body["errors"]}
    assert {e["extensions"]["code"] for e in errors.values()} == {"UPSTREAM_ERROR"}
    refused = "the platform refused the gateway's credentials (HTTP 401)"  # the gateway's words
    assert errors["malmo"]["message"] == f"malmo: {refused}"
    assert errors["lund"]["message"] == f"lund: {refused}"
    assert "refused the gateway's client credentials: invalid_client" in caplog.text  # details
    assert "refused the gateway's API key" in caplog.text
    assert "city malmo: the token endpoint refused" in caplog.text  # the logs were captured
    for secret in (wrong_secret, wrong_key, SECRET, KEY):
        assert secret not in text
        assert secret not in caplog.text
