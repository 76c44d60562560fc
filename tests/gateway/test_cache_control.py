"""Lifetimes: the dataset's cache section, else the platform's Cache-Control, else defaults."""

from __future__ import annotations

import pytest

from gateway.federation.model import CacheOverride, CachePolicy
from gateway.query.cache.cache_control import Directives, effective_policy, parse_cache_control

DEFAULT = CachePolicy(ttl_s=30, stale_while_revalidate_s=30, stale_if_error_s=300)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Directives()),
        ("max-age=60", Directives(max_age=60)),
        ("public, max-age=60, s-maxage=10", Directives(max_age=10)),
        ('max-age="45"', Directives(max_age=45)),
        ("max-age=abc, no-cache", Directives(no_cache=True)),
        ("no-store", Directives(no_store=True)),
        ("private, max-age=60", Directives(max_age=60, no_store=True)),
        (
            "max-age=5, stale-while-revalidate=20, stale-if-error=600",
            Directives(max_age=5, stale_while_revalidate=20, stale_if_error=600),
        ),
    ],
)
def test_directives(header: str | None, expected: Directives) -> None:
    assert parse_cache_control(header) == expected


def test_the_gateway_defaults_apply_when_nobody_says_otherwise() -> None:
    assert effective_policy(None, DEFAULT, None) == DEFAULT


def test_the_platform_sets_what_the_file_leaves_open() -> None:
    header = "max-age=5, stale-if-error=60"
    assert effective_policy(None, DEFAULT, header) == CachePolicy(5, 30, 60)
    configured = CacheOverride(ttl_s=120)
    assert effective_policy(configured, DEFAULT, header) == CachePolicy(120, 30, 60)


def test_no_cache_means_always_revalidate_but_keep_for_errors() -> None:
    assert effective_policy(None, DEFAULT, "no-cache") == CachePolicy(0, 30, 300)


@pytest.mark.parametrize("header", ["no-store", "private"])
def test_what_the_platform_forbids_to_store_is_not_stored(header: str) -> None:
    assert effective_policy(CacheOverride(ttl_s=60), DEFAULT, header) is None


def test_all_lifetimes_zero_is_not_stored() -> None:
    assert effective_policy(CacheOverride(0, 0, 0), DEFAULT, None) is None
