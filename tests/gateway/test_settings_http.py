"""The settings of the HTTP edge (issue 13: M5, L10): read from ``CAAP_*``, checked."""

from __future__ import annotations

import pytest

from gateway.process.settings import Settings, SettingsError


def test_l10_no_proxy_is_trusted_unless_named() -> None:
    """Finding L10: uvicorn trusted loopback as a proxy by default."""
    assert Settings.from_env({}).forwarded_allow_ips is None
    named = Settings.from_env({"CAAP_FORWARDED_ALLOW_IPS": " 10.0.0.1, 192.168.0.0/16 "})
    assert named.forwarded_allow_ips == "10.0.0.1,192.168.0.0/16"


@pytest.mark.parametrize("value", ["*", "proxy.example", "10.0.0.300"])
def test_l10_a_proxy_that_is_not_an_address_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match=r"CAAP_FORWARDED_ALLOW_IPS: .* not an IP"):
        Settings.from_env({"CAAP_FORWARDED_ALLOW_IPS": value})


def test_m5_header_and_body_timeouts_have_defaults_and_are_read() -> None:
    """Finding M5: no timeout for reading headers or a body."""
    assert (Settings.from_env({}).header_timeout_s, Settings.from_env({}).body_timeout_s) == (
        10.0,
        30.0,
    )
    read = Settings.from_env({"CAAP_HEADER_TIMEOUT_S": "2.5", "CAAP_BODY_TIMEOUT_S": "0"})
    assert (read.header_timeout_s, read.body_timeout_s) == (2.5, 0.0)
