"""A reload of the federation file ends the old federation's subscriptions with a reason
(graphql-ws sees the reason, then ``complete``), and a new subscription is served."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from tests.live.conftest import LiveWorld
from tests.live.hub_probe import hubs
from tests.live.node_client import subscribed
from tests.support.gateway_server import GatewayServer
from tests.support.waiting import wait_until

QUERY = 'subscription { entityChanges(type: "WeatherObserved") { __typename } }'


def test_a_reload_ends_subscriptions_with_a_reason(live_world: LiveWorld, tmp_path: Path) -> None:
    path = tmp_path / "federation.yaml"
    path.write_text(live_world.federation.read_text(encoding="utf-8"), encoding="utf-8")
    with (
        GatewayServer(str(path), live_poll_s=0.2, reload_watch_s=0) as gateway,
        subscribed("sse", f"{gateway.url}/graphql", QUERY) as client,
    ):
        wait_until(lambda: sum(h.subscriber_count for h in hubs(gateway)) == 1, 60, "subscribed")
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document.setdefault("gateway", {})["timeout_s"] = 4.0
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        answer = httpx.post(f"{gateway.url}/admin/reload", timeout=30).json()
        assert answer["outcome"] == "applied", answer
        client.collect(lambda seen: any("complete" in s for s in seen), 60, "the end")
        (error,) = next(p["errors"] for p in client.payloads() if p.get("errors"))
        assert error["extensions"]["code"] == "FEDERATION_RELOADED"
        assert "reloaded" in error["message"]
        wait_until(lambda: sum(h.stream_count for h in hubs(gateway)) == 0, 60, "streams closed")
