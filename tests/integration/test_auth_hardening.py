"""Issue 13, finding M1: tokens the gateway cannot judge alone (opaque ones, checked by
introspection) cost the caller's address before the issuer is asked; malformed JWTs are
never introspected. A real authorization server counts the introspection requests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_sharing_policies import auth_section
from tests.support.auth_server import AuthServer, Client
from tests.support.federation_files import write_federation
from tests.support.gateway_server import GatewayServer
from tests.support.sim import Sim

BURST = 10
QUERY = {"query": "{ cities { id } }"}


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    with AuthServer([Client("meter-app", "meter-secret", opaque=True)]) as server:
        yield server


def _gateway(sim: Sim, idp: AuthServer, folder: Path) -> GatewayServer:
    """One city; each address may send BURST requests, then next to none."""
    path = write_federation(
        folder / "federation.yaml",
        {"malmo": sim.urls["malmo"]},
        gateway={"rate_limit": {"requests_per_s": 0.001, "burst": BURST}},
        auth=auth_section(idp),
    )
    return GatewayServer(str(path))


def _ask(gw: GatewayServer, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{gw.url}/graphql", json=QUERY, headers=headers, timeout=10).status_code


def test_m1_random_opaque_tokens_are_rate_limited_by_address_before_introspection(
    sim: Sim, idp: AuthServer, tmp_path: Path
) -> None:
    """Finding M1: 400 random tokens cost 400 introspection POSTs (auth ran before the
    rate limit)."""
    with _gateway(sim, idp, tmp_path) as gw:
        asked = idp.introspection_requests
        statuses = [_ask(gw, secrets.token_urlsafe(24)) for _ in range(4 * BURST)]
        introspected = idp.introspection_requests - asked
    assert statuses[:BURST] == [401] * BURST
    assert set(statuses[BURST:]) == {429}
    assert introspected <= BURST


def test_m1_an_unknown_opaque_token_is_introspected_once_while_its_answer_is_cached(
    sim: Sim, idp: AuthServer, tmp_path: Path
) -> None:
    """Finding M1: a negative introspection answer is cached briefly."""
    token = secrets.token_urlsafe(24)
    with _gateway(sim, idp, tmp_path) as gw:
        asked = idp.introspection_requests
        statuses = [_ask(gw, token) for _ in range(3)]
        assert idp.introspection_requests - asked == 1
    assert statuses == [401] * 3


def test_m1_malformed_jwts_are_never_sent_to_introspection(
    sim: Sim, idp: AuthServer, tmp_path: Path
) -> None:
    """Finding M1: a token shaped like a JWT whose header is not JSON went to introspection."""
    with _gateway(sim, idp, tmp_path) as gw:
        asked = idp.introspection_requests
        for n in range(3):
            response = httpx.post(
                f"{gw.url}/graphql",
                json=QUERY,
                headers={"Authorization": f"Bearer not-a-header{n}.payload.signature"},
                timeout=10,
            )
            assert response.status_code == 401
            assert "header is not base64url JSON" in response.headers["WWW-Authenticate"]
        assert idp.introspection_requests == asked
    # and a valid opaque token still works
    with _gateway(sim, idp, tmp_path) as gw:
        assert _ask(gw, idp.token("meter-app")) == 200
