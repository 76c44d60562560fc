"""``make run`` gives every MQTT city of the demo federation its own broker (ADR 0029):
the same topic on two cities' brokers is two different things."""

from __future__ import annotations

import yaml

from gateway.cli.demo import _loopback_mqtt_urls
from tests.support.federation_files import ROOT

MQTT_KINDS = {"sensorthings", "lynx"}


def test_each_mqtt_city_of_the_demo_has_a_broker_of_its_own() -> None:
    cities = yaml.safe_load((ROOT / "federation.yaml").read_text(encoding="utf-8"))["cities"]
    mqtt = {city for city, entry in cities.items() if entry["adapter"]["kind"] in MQTT_KINDS}
    urls = _loopback_mqtt_urls(str(ROOT / "federation.yaml"))
    assert set(urls) == mqtt
    ports = [port for port, _ in urls.values()]
    assert len(set(ports)) == len(mqtt)


def test_an_unreadable_federation_file_starts_no_broker() -> None:
    assert _loopback_mqtt_urls("/nonexistent/federation.yaml") == {}
