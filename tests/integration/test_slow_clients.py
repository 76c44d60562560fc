"""Issue 13, findings M5 and L10, against ``caap serve`` (uvicorn as deployed): slow headers
and slow bodies are closed, a reload does not wait for a slow client, and ``X-Forwarded-For``
is trusted only from the proxies the settings name."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.federation_files import write_federation
from tests.support.gateway_process import GatewayProcess
from tests.support.metrics_text import wait_for
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

QUERY = {"query": "{ cities { id } }"}
POST_HEAD = (
    b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100\r\n\r\n"
)


def _federation(sim: Sim, folder: Path, **gateway: object) -> Path:
    return write_federation(
        folder / "federation.yaml", {"malmo": sim.urls["malmo"]}, gateway=unthrottled(**gateway)
    )


@pytest.fixture(scope="module")
def impatient(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """Headers and bodies must arrive within half a second."""
    folder = tmp_path_factory.mktemp("impatient")
    env = {"CAAP_HEADER_TIMEOUT_S": "0.5", "CAAP_BODY_TIMEOUT_S": "0.5"}
    with GatewayProcess(_federation(sim, folder), folder / "gateway.log", **env) as process:
        yield process


def _until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (10 s at most)."""
    conn.settimeout(10)
    received = b""
    while chunk := conn.recv(4096):
        received += chunk
    return received


def test_m5_connections_with_incomplete_headers_are_closed(impatient: GatewayProcess) -> None:
    """Finding M5: 300 connections with incomplete headers stayed open 30-45 s."""
    conns = [socket.create_connection(("127.0.0.1", impatient.port)) for _ in range(20)]
    try:
        for n, conn in enumerate(conns):
            if n % 2:  # half say nothing at all, half start a request and stall
                conn.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        for conn in conns:
            assert _until_closed(conn) == b""
    finally:
        for conn in conns:
            conn.close()
    assert httpx.post(f"{impatient.url}/graphql", json=QUERY).status_code == 200


def test_m5_a_slow_body_is_answered_408_and_closed(impatient: GatewayProcess) -> None:
    """Finding M5: 100 slow bodies stayed open 30-45 s."""
    with socket.create_connection(("127.0.0.1", impatient.port)) as conn:
        conn.sendall(POST_HEAD + b'{"query": ')
        answer = _until_closed(conn)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"did not arrive within 0.5 s" in answer
    assert "Traceback" not in impatient.logs()


def test_m5_after_a_reload_the_old_federation_closes_while_a_slow_client_still_sends(
    sim: Sim, tmp_path: Path
) -> None:
    """Finding M5: after a reload the old federation closed only when a slow client left."""
    path = _federation(sim, tmp_path)
    env = {"CAAP_BODY_TIMEOUT_S": "120", "CAAP_RELOAD_WATCH_S": "0"}
    with (
        GatewayProcess(path, tmp_path / "gateway.log", **env) as gateway,
        socket.create_connection(("127.0.0.1", gateway.port)) as slow,
    ):
        slow.sendall(POST_HEAD + b'{"query": ')
        assert httpx.post(f"{gateway.url}/graphql", json=QUERY).status_code == 200
        _federation(sim, tmp_path, timeout_s=4)
        reloaded = httpx.post(f"{gateway.url}/admin/reload", timeout=30)
        assert reloaded.json()["outcome"] == "applied", reloaded.text
        wait_for(lambda: "previous federation closed" in gateway.logs())
        slow.sendall(b'"{ cities { id } }"}' + b" " * 70)  # the slow client is served still
        assert _until_closed_or_answered(slow).startswith(b"HTTP/1.1 200")


def _until_closed_or_answered(conn: socket.socket) -> bytes:
    conn.settimeout(10)
    return conn.recv(4096)


def _by_forwarded_address(gateway: GatewayProcess, addresses: int) -> list[int]:
    """Statuses of one request each from ``addresses`` forwarded-for addresses."""
    return [
        httpx.post(
            f"{gateway.url}/graphql", json=QUERY, headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(addresses)
    ]


def test_l10_x_forwarded_for_from_an_unconfigured_peer_is_not_trusted(
    sim: Sim, tmp_path: Path
) -> None:
    """Finding L10: X-Forwarded-For from loopback defeated the anonymous rate limit."""
    path = write_federation(
        tmp_path / "federation.yaml",
        {"malmo": sim.urls["malmo"]},
        gateway={"rate_limit": {"requests_per_s": 0.001, "burst": 3}},
    )
    with GatewayProcess(path, tmp_path / "gateway.log") as gateway:
        assert _by_forwarded_address(gateway, 6) == [200] * 3 + [429] * 3
    trusted = {"CAAP_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with GatewayProcess(path, tmp_path / "trusted.log", **trusted) as gateway:
        assert _by_forwarded_address(gateway, 6) == [200] * 6  # one bucket per client behind
