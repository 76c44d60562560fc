"""OpenTelemetry: a server span per GraphQL request and a client span per city call.

Spans go to the SDK's in-memory exporter; tracing is off unless asked for.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.http.app import create_app
from gateway.ops.tracing import Tracing
from gateway.process.settings import Settings
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

QUERY = """{ entities(type: "AirQualityObserved", first: 3, filter: {cities: ["malmo", "umea"]}) {
  nodes { id } } }"""


def test_a_span_per_request_and_per_city_call(sim: Sim, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    path = write_federation(tmp_path / "federation.yaml", sim.urls, gateway=unthrottled())
    gateway = GatewayServer(str(path), otel=True, reload_watch_s=0)
    gateway.app.state.ops.tracing = Tracing.create(True, provider)
    with gateway:
        response = httpx.post(f"{gateway.url}/graphql", json={"query": QUERY})
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (server,) = [s for s in spans if s.kind is SpanKind.SERVER]
    assert server.name == "POST /graphql"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    clients = [s for s in spans if s.kind is SpanKind.CLIENT]
    assert {s.attributes["caap.city"] for s in clients if s.attributes} == {"malmo", "umea"}
    for span in clients:
        assert span.parent is not None
        assert span.parent.span_id == server.context.span_id
        assert span.context.trace_id == server.context.trace_id
        assert span.attributes is not None
        assert span.attributes["http.response.status_code"] == 200


def test_tracing_is_off_by_default() -> None:
    assert create_app(Settings()).state.ops.tracing.enabled is False
    assert Tracing.create(False).trace_configs("malmo") == ()
