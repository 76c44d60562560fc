"""The Authenticator: which path a request's credentials take."""

from __future__ import annotations

import pytest

from gateway.auth import Authenticator, InvalidRequest, InvalidToken
from gateway.auth.principal import ANONYMOUS


async def test_no_token_is_anonymous() -> None:
    assert await Authenticator().authenticate([], {}) is ANONYMOUS


async def test_a_token_without_a_configured_issuer_is_refused() -> None:
    with pytest.raises(InvalidToken, match="trusts no authorization server"):
        await Authenticator().authenticate(["Bearer abc"], {})


async def test_two_authorization_headers_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="one Authorization header"):
        await Authenticator().authenticate(["Bearer a", "Bearer b"], {})


async def test_closing_twice_is_fine() -> None:
    authenticator = Authenticator.for_config(None)
    await authenticator.aclose()
    await authenticator.aclose()
