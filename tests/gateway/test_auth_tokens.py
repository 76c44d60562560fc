"""JWT access tokens (RFC 9068) against a real authorization server: every way to be refused.

Tokens come over HTTP from tests/support/auth_server.py, or are forged the way an
attacker would forge them; keys come from its JWKS endpoint. Nothing in the
validation is patched: time is the only thing tests control (the key cache's
monotonic clock).
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import orjson
import pytest
from joserfc.jwk import RSAKey

from gateway.auth.access_token import AccessTokenValidator
from gateway.auth.errors import AuthUnavailable, InvalidToken
from gateway.auth.keys import KeySource
from gateway.auth.principal import Principal
from tests.support.auth_server import AUDIENCE, AuthServer, Client

APP = Client("app", "app-secret", frozenset({"caap:utility:read", "caap:traffic:read"}))


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def idp() -> Iterator[AuthServer]:
    """A server that no test changes (no rotation, JWKS always up)."""
    with AuthServer([APP]) as server:
        yield server


@pytest.fixture
def own_idp() -> Iterator[AuthServer]:
    """A server for one test, which may rotate keys or go down."""
    with AuthServer([APP]) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def validator(
    session: aiohttp.ClientSession,
    server: AuthServer,
    clock: Clock | None = None,
    *,
    discover: bool = False,
) -> tuple[AccessTokenValidator, KeySource]:
    keys = KeySource(
        session,
        server.issuer,
        None if discover else server.jwks_uri,
        clock=clock or Clock(),
        max_age_s=300,
        min_refetch_s=30,
    )
    return AccessTokenValidator(keys, server.issuer, AUDIENCE), keys


async def test_a_token_from_the_server_gives_its_principal(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    tokens, _ = validator(session, idp)
    principal = await tokens.principal(idp.token("app", "caap:utility:read"))
    assert principal == Principal("app", "app", frozenset({"caap:utility:read"}))
    assert not principal.anonymous


async def test_keys_are_found_by_openid_discovery(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    tokens, keys = validator(session, idp, discover=True)
    assert (await tokens.principal(idp.token("app"))).client_id == "app"
    assert keys.fetches == 1


async def test_discovery_of_another_issuer_is_not_trusted(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    keys = KeySource(session, idp.issuer + "/other", None)
    tokens = AccessTokenValidator(keys, idp.issuer + "/other", AUDIENCE)
    with pytest.raises(AuthUnavailable):
        await tokens.principal(idp.token("app"))


async def test_an_es256_issuer_is_accepted(session: aiohttp.ClientSession) -> None:
    with AuthServer([APP], alg="ES256") as es:
        tokens, _ = validator(session, es)
        assert (await tokens.principal(es.token("app"))).subject == "app"


def _now() -> int:
    return int(time.time())


def _tampered(server: AuthServer) -> str:
    header, _, signature = server.token("app", "caap:utility:read").split(".")
    claims = server.claims_for("app", scope="caap:utility:read caap:admin")
    payload = base64.urlsafe_b64encode(orjson.dumps(claims)).decode().rstrip("=")
    return f"{header}.{payload}.{signature}"


def _foreign_key_with_real_kid(server: AuthServer) -> str:
    attacker = RSAKey.generate_key(2048, private=True)
    return server.forge(
        server.claims_for("app"), header={"kid": server.current_key.kid}, key=attacker
    )


BAD_TOKENS: dict[str, tuple[Any, str]] = {
    "expired": (
        lambda s: s.forge(s.claims_for("app", exp=_now() - 120, iat=_now() - 600, nbf=None)),
        "the token has expired",
    ),
    "not yet valid": (
        lambda s: s.forge(s.claims_for("app", nbf=_now() + 600)),
        "the token is not valid yet",
    ),
    "issued in the future": (
        lambda s: s.forge(s.claims_for("app", iat=_now() + 600, nbf=None)),
        "issued in the future",
    ),
    "wrong issuer": (
        lambda s: s.forge(s.claims_for("app", iss="https://idp.evil.example")),
        "another issuer",
    ),
    "issuer with a trailing slash": (
        lambda s: s.forge(s.claims_for("app", iss=s.issuer + "/")),
        "another issuer",
    ),
    "wrong audience": (
        lambda s: s.forge(s.claims_for("app", aud="urn:other:api")),
        "another audience",
    ),
    "alg none": (lambda s: s.forge_unsigned(s.claims_for("app")), "alg none"),
    "HS256 keyed with the public key": (
        lambda s: s.forge_hmac_with_public_key(s.claims_for("app")),
        "symmetric algorithms (HS256)",
    ),
    "unknown kid": (
        lambda s: s.forge(s.claims_for("app"), key=RSAKey.generate_key(2048, private=True)),
        "a key the issuer does not publish",
    ),
    "another key under the real kid": (_foreign_key_with_real_kid, "signature does not verify"),
    "tampered payload": (_tampered, "signature does not verify"),
    "malformed: two parts": (lambda s: "abc.def", "not a JWT"),
    "malformed: header not JSON": (lambda s: "bm90IGpzb24.e30.c2ln", "not base64url JSON"),
    "malformed: garbage signature": (
        lambda s: s.token("app").rsplit(".", 1)[0] + ".AAAA",
        "signature does not verify",
    ),
    "wrong typ": (lambda s: s.forge(s.claims_for("app"), header={"typ": "JWT"}), "typ"),
    "no typ": (lambda s: s.forge(s.claims_for("app"), header={"typ": None}), "typ"),
    "critical header": (
        lambda s: s.forge_raw(
            {"alg": "RS256", "typ": "at+jwt", "kid": s.current_key.kid, "crit": ["x-policy"]},
            s.claims_for("app"),
        ),
        "critical header",
    ),
    "no client_id": (
        lambda s: s.forge(s.claims_for("app", client_id=None)),
        "lacks the claims client_id",
    ),
    "no exp": (lambda s: s.forge(s.claims_for("app", exp=None)), "lacks the claims exp"),
    "no sub": (lambda s: s.forge(s.claims_for("app", sub=None)), "lacks the claims sub"),
    "scope not a string": (
        lambda s: s.forge(s.claims_for("app", scope=["caap:utility:read"])),
        "scope or client_id is not a string",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
async def test_every_bad_token_is_invalid(
    session: aiohttp.ClientSession, idp: AuthServer, case: str
) -> None:
    make, fragment = BAD_TOKENS[case]
    tokens, _ = validator(session, idp)
    with pytest.raises(InvalidToken) as caught:
        await tokens.principal(make(idp))
    assert fragment in caught.value.description
    assert caught.value.status == 401


async def test_a_little_clock_skew_is_tolerated(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    tokens, _ = validator(session, idp)
    skewed = idp.forge(idp.claims_for("app", exp=_now() - 10, iat=_now() + 10, nbf=_now() + 10))
    assert (await tokens.principal(skewed)).client_id == "app"


async def test_an_audience_list_that_contains_ours_is_accepted(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    tokens, _ = validator(session, idp)
    token = idp.forge(idp.claims_for("app", aud=["urn:other:api", AUDIENCE]))
    assert (await tokens.principal(token)).client_id == "app"


async def test_rotation_new_key_accepted_after_one_refetch(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    tokens, keys = validator(session, own_idp)
    old = own_idp.token("app")
    await tokens.principal(old)
    assert keys.fetches == 1
    own_idp.rotate(keep_previous=True)
    new = own_idp.token("app")
    assert (await tokens.principal(new)).client_id == "app"
    assert keys.fetches == 2
    await tokens.principal(new)
    await tokens.principal(old)  # the previous key is still published
    assert keys.fetches == 2


async def test_a_retired_key_stops_working_when_the_keys_are_refreshed(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    clock = Clock()
    tokens, keys = validator(session, own_idp, clock)
    old = own_idp.token("app")
    await tokens.principal(old)
    own_idp.rotate(keep_previous=False)
    await tokens.principal(old)  # cached keys: still valid until they are refreshed
    clock.now += 301
    with pytest.raises(InvalidToken, match="does not publish"):
        await tokens.principal(old)
    assert keys.fetches == 2


async def test_unknown_kids_refetch_at_most_once_per_interval(
    session: aiohttp.ClientSession, idp: AuthServer
) -> None:
    clock = Clock()
    tokens, keys = validator(session, idp, clock)
    await tokens.principal(idp.token("app"))
    for _ in range(5):
        made_up = idp.forge(idp.claims_for("app"), key=RSAKey.generate_key(2048, private=True))
        with pytest.raises(InvalidToken):
            await tokens.principal(made_up)
    assert keys.fetches == 2  # the first and one forced refetch
    clock.now += 30
    with pytest.raises(InvalidToken):
        await tokens.principal(made_up)
    assert keys.fetches == 3


async def test_concurrent_requests_with_a_new_kid_share_one_refetch(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    tokens, keys = validator(session, own_idp)
    await tokens.principal(own_idp.token("app"))
    own_idp.rotate()
    new = own_idp.token("app")
    principals = await asyncio.gather(*(tokens.principal(new) for _ in range(20)))
    assert {p.client_id for p in principals} == {"app"}
    assert keys.fetches == 2


async def test_when_the_jwks_endpoint_is_down_cached_keys_keep_working(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    clock = Clock()
    tokens, keys = validator(session, own_idp, clock)
    token = own_idp.token("app")
    await tokens.principal(token)
    own_idp.set_jwks_down(True)
    clock.now += 301  # the keys are due for a refresh, which fails
    assert (await tokens.principal(token)).client_id == "app"
    assert (await tokens.principal(token)).client_id == "app"
    assert keys.fetches == 2  # one failed refresh, not one per request
    own_idp.set_jwks_down(False)
    clock.now += 30
    assert (await tokens.principal(token)).client_id == "app"
    assert keys.fetches == 3


async def test_a_slow_refresh_does_not_hold_up_requests_with_known_keys(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    clock = Clock()
    tokens, _ = validator(session, own_idp, clock)
    token = own_idp.token("app")
    await tokens.principal(token)
    clock.now += 301
    entered, release = own_idp.hold_jwks()
    refreshing = asyncio.create_task(tokens.principal(token))
    assert await asyncio.to_thread(entered.wait, 5)  # the refresh waits at the server
    assert (await tokens.principal(token)).client_id == "app"  # served from the known keys
    assert not refreshing.done()
    release.set()
    assert (await refreshing).client_id == "app"


async def test_an_unknown_kid_while_the_jwks_endpoint_is_down_is_unavailable(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    tokens, _ = validator(session, own_idp)
    await tokens.principal(own_idp.token("app"))
    own_idp.rotate()
    own_idp.set_jwks_down(True)
    with pytest.raises(AuthUnavailable):
        await tokens.principal(own_idp.token("app"))


async def test_with_no_keys_ever_fetched_tokens_cannot_be_checked(
    session: aiohttp.ClientSession, own_idp: AuthServer
) -> None:
    tokens, _ = validator(session, own_idp)
    token = own_idp.token("app")
    own_idp.set_jwks_down(True)
    with pytest.raises(AuthUnavailable) as caught:
        await tokens.principal(token)
    assert caught.value.status == 503
