"""Opaque tokens through RFC 7662 introspection at a real authorization server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.auth.introspection import Introspector
from gateway.auth.principal import Principal
from gateway.federation.model import IntrospectionConfig
from tests.support.auth_server import AUDIENCE, GATEWAY_CLIENT, AuthServer, Client

OPAQUE = Client("meter-app", "meter-secret", frozenset({"caap:utility:read"}), opaque=True)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idp() -> Iterator[AuthServer]:
    with AuthServer([OPAQUE], token_ttl_s=120) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def introspector(
    session: aiohttp.ClientSession,
    idp: AuthServer,
    clock: Clock,
    credentials: tuple[str, str] = GATEWAY_CLIENT,
) -> Introspector:
    config = IntrospectionConfig(idp.introspection_endpoint, *credentials)
    return Introspector(session, config, idp.issuer, AUDIENCE, max_cache_s=60, clock=clock)


async def test_an_active_opaque_token_gives_its_principal(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    token = idp.token("meter-app")
    assert "." not in token
    checker = introspector(session, idp, Clock(time.time()))
    principal = await checker.principal(token)
    assert principal == Principal("meter-app", "meter-app", frozenset({"caap:utility:read"}))


async def test_an_unknown_token_is_invalid(session: aiohttp.ClientSession, idp: AuthServer) -> None:
    with pytest.raises(InvalidToken, match="not active"):
        await introspector(session, idp, Clock(time.time())).principal("not-a-token-we-issued")


async def test_answers_are_cached_but_a_revocation_is_seen_after_max_cache(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    clock = Clock(time.time())
    checker = introspector(session, idp, clock)
    token = idp.token("meter-app")
    await checker.principal(token)
    await checker.principal(token)
    assert checker.requests == 1
    idp.revoke(token)
    clock.now += 59
    assert (await checker.principal(token)).client_id == "meter-app"
    clock.now += 2
    with pytest.raises(InvalidToken, match="not active"):
        await checker.principal(token)
    assert checker.requests == 2


async def test_a_token_is_not_cached_beyond_its_expiry(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    with AuthServer([OPAQUE], token_ttl_s=20) as short:
        clock = Clock(time.time())
        checker = introspector(session, short, clock)
        token = short.token("meter-app")
        await checker.principal(token)
        clock.now += 21  # before max_cache_s (60), after exp: asked again
        checker_requests = checker.requests
        with pytest.raises(InvalidToken):
            await checker.principal(token)
        assert checker.requests == checker_requests + 1


async def test_the_token_itself_is_not_a_cache_key(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    checker = introspector(session, idp, Clock(time.time()))
    token = idp.token("meter-app")
    await checker.principal(token)
    assert token not in repr(checker._cache)


async def test_wrong_gateway_credentials_make_tokens_uncheckable(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    checker = introspector(session, idp, Clock(time.time()), ("caap-gateway", "wrong"))
    with pytest.raises(AuthUnavailable) as caught:
        await checker.principal(idp.token("meter-app"))
    assert "wrong" not in caught.value.description
