"""Issue 13, the HTTP findings, against a real gateway process whose resident memory the
kernel reports: bodies (H1), a client hanging up mid-body (L4), refused documents in the
parse cache (H2)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.federation_files import write_federation
from tests.support.gateway_process import GatewayProcess
from tests.support.metrics_text import total, wait_for
from tests.support.resident_memory import MiB, peak_resident_bytes, resident_bytes
from tests.support.sim import Sim
from tests.support.unthrottled import unthrottled

LIMIT = 1_048_576
"""The default ``gateway.limits.body_bytes``."""
HUGE = 400 * MiB


@pytest.fixture(scope="module")
def gateway(sim: Sim, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    folder = tmp_path_factory.mktemp("http-hardening")
    cities = {c: sim.urls[c] for c in ("malmo", "lund", "umea")}
    path = write_federation(folder / "federation.yaml", cities, gateway=unthrottled())
    with GatewayProcess(path, folder / "gateway.log") as process:
        yield process


def _pid(gateway: GatewayProcess) -> int:
    assert gateway.proc is not None
    return gateway.proc.pid


def _send_huge_body(gateway: GatewayProcess, *, chunked: bool) -> tuple[int, bytes]:
    """POST a 400 MiB body until the gateway stops taking it: bytes sent, what it answered."""
    framing = b"Transfer-Encoding: chunked" if chunked else f"Content-Length: {HUGE}".encode()
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + framing
        + b"\r\n\r\n"
    )
    piece = b" " * (64 * 1024)
    frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece
    sent = 0
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as conn:
        conn.sendall(head)
        try:
            while sent < HUGE:
                conn.sendall(frame)
                sent += len(piece)
        except OSError:  # refused: the gateway closed the connection
            pass
        try:
            answer = conn.recv(4096)
        except OSError:
            answer = b""
    return sent, answer


@pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
def test_h1_a_400_mib_body_is_refused_having_read_at_most_about_twice_the_limit(
    gateway: GatewayProcess, chunked: bool
) -> None:
    """Finding H1: the body was read whole before the 1 MiB limit applied (88 -> 487 MiB)."""
    pid = _pid(gateway)
    before = peak_resident_bytes(pid)
    sent, answer = _send_huge_body(gateway, chunked=chunked)
    grown = peak_resident_bytes(pid) - before
    assert grown < 2 * LIMIT + 16 * MiB, f"peak resident memory grew {grown / MiB:.0f} MiB"
    assert sent < HUGE, "the gateway took the whole 400 MiB"
    if answer:  # the 413 may be lost to the reset of a connection closed unread
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_l4_a_client_hanging_up_mid_body_leaves_no_traceback_and_no_500(
    gateway: GatewayProcess,
) -> None:
    """Finding L4: ClientDisconnect went unhandled: a traceback and an HTTP 500 per request."""
    gone_before = total(gateway.url, "caap_http_requests_total", status="499")
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as conn:
        conn.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"query": "{ cit'
        )
    wait_for(lambda: total(gateway.url, "caap_http_requests_total", status="499") > gone_before)
    assert total(gateway.url, "caap_http_requests_total", status="500") == 0
    assert "Traceback" not in gateway.logs()
    assert "ClientDisconnect" not in gateway.logs()


def test_h2_400_refused_1_mb_documents_grow_resident_memory_by_less_than_64_mib(
    gateway: GatewayProcess,
) -> None:
    """Finding H2: refused documents stayed in the parse cache, counted as 1,000 bytes each
    while their keys held the whole text (193 -> 577 MiB for good)."""
    pid = _pid(gateway)
    with httpx.Client(base_url=gateway.url, timeout=30) as client:
        warm = client.post("/graphql", json={"query": "{ " + "x" * 999_990 + " }"})
        assert warm.status_code in (200, 400)
        before = resident_bytes(pid)
        for n in range(400):
            text = f"{{ cities {{ id }} }} # {n:04d} " + "x" * 999_970
            response = client.post("/graphql", json={"query": text})
            errors = response.json()["errors"]
            assert errors[0]["extensions"]["limit"] == "characters", errors
    grown = resident_bytes(pid) - before
    assert grown < 64 * MiB, f"resident memory grew {grown / MiB:.0f} MiB"
