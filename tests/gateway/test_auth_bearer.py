"""RFC 6750 bearer extraction and the HTTP answers of refused credentials."""

from __future__ import annotations

import pytest

from gateway.auth.bearer import MAX_TOKEN_BYTES, bearer_token
from gateway.auth.errors import AuthUnavailable, InvalidRequest, InvalidToken


def test_no_header_means_no_token() -> None:
    assert bearer_token(None, {}) is None


@pytest.mark.parametrize("header", ["Bearer abc.def-ghi_~+/==", "bearer abc", "  BEARER   abc  "])
def test_the_token_of_a_bearer_header(header: str) -> None:
    assert bearer_token(header, {}) == header.split()[-1]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("Basic dXNlcjpwdw==", "only the Bearer authorization scheme"),
        ("Bearer", "carries no token"),
        ("Bearer ", "carries no token"),
        ("Bearer a b", "not a b64token"),
        ('Bearer "quoted"', "not a b64token"),
        ("Bearer " + "a" * (MAX_TOKEN_BYTES + 1), "not a b64token"),
    ],
)
def test_a_malformed_header_is_an_invalid_request(header: str, fragment: str) -> None:
    with pytest.raises(InvalidRequest, match=fragment) as caught:
        bearer_token(header, {})
    assert caught.value.status == 400


def test_a_token_in_the_url_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="not in the URL"):
        bearer_token(None, {"access_token": "abc"})


def test_invalid_token_challenge_follows_rfc_6750() -> None:
    error = InvalidToken('the token has "expired"\n\\')
    assert error.status == 401
    assert error.headers == {
        "WWW-Authenticate": 'Bearer realm="caap-gateway", error="invalid_token", '
        'error_description="the token has ?expired???"'
    }


def test_unavailable_asks_to_retry() -> None:
    error = AuthUnavailable("keys cannot be fetched")
    assert (error.status, error.headers) == (503, {"Retry-After": "5"})
