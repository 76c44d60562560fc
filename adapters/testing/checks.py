"""Checks both conformance suites make alike, whatever an adapter is asked (entities or
datasets): the kind, the config at load, failing platforms, redirects, state and ``aclose``.

``Ask`` is one question to an adapter (``fetch_entities`` or ``fetch_datasets``),
``Ids`` the ids in its answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, TypeVar

import pytest

from adapters.contract import Adapter, AdapterFactory
from adapters.errors import (
    AdapterError,
    ConfigError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.testing.harness import Harness
from adapters.testing.upstream import RETRY_AFTER_S, BadUpstream, closed_port_url

UNKNOWN_KEY = "no_such_option_for_conformance"
T = TypeVar("T")
Ask = Callable[[Adapter], Awaitable[Any]]
Ids = Callable[[Any], Collection[str]]


def check_kind(factory: AdapterFactory) -> None:
    """``kind`` is a non-empty lower-case name."""
    kind = factory.kind
    assert isinstance(kind, str), kind
    assert kind, "kind is empty"
    assert kind == kind.strip().lower(), f"kind {kind!r} is not lower-case"


def check_config(
    factory: AdapterFactory, config: Mapping[str, Any], secrets: Collection[str]
) -> None:
    """``validate_config`` takes ``config``, hides the secrets, refuses an unknown key by name."""
    typed = factory.validate_config(config)
    assert typed is not None
    for secret in secrets:
        assert secret not in repr(typed), "the typed config shows a secret in its repr"
    with pytest.raises(ConfigError) as info:
        factory.validate_config({**config, UNKNOWN_KEY: 1})
    assert info.value.key == UNKNOWN_KEY, f"ConfigError names {info.value.key!r}"


async def outcome(call: Awaitable[T]) -> T | Exception:
    """What ``call`` returns, or the exception it raises."""
    try:
        return await call
    except Exception as exc:
        return exc


def named(value: object) -> str:
    """An exception as ``module.Class: message``; anything else as "no error but ..."."""
    if isinstance(value, BaseException):
        return f"{type(value).__module__}.{type(value).__name__}: {value}"
    return f"no error but {type(value).__name__}"


async def failing_platform(
    h: Harness, mode: str, ask: Ask, *, timeout_s: float, secrets: Collection[str]
) -> None:
    """A platform failing in ``mode`` (``BadUpstream``, or "refused") gives a typed error."""
    if mode == "refused":
        error = await outcome(ask(h.make(await closed_port_url())))
        assert isinstance(error, UpstreamUnavailable), named(error)
        return
    async with BadUpstream(mode) as bad:
        timeout = timeout_s if mode == "hang" else 10.0
        adapter = h.make(bad.url, timeout_s=timeout)
        started = time.monotonic()
        error = await outcome(ask(adapter))
        elapsed = time.monotonic() - started
    expect_error(mode, error, elapsed, timeout)
    for secret in secrets:
        assert secret not in str(error), f"the error message shows a secret: {error}"


def expect_error(mode: str, error: object, elapsed: float, timeout: float) -> None:
    """``error`` is what a platform failing in ``mode`` must give."""
    assert isinstance(error, UpstreamError), f"{mode}: {named(error)}"
    assert str(error).strip(), f"{mode}: the error has no message"
    if mode.startswith("status:"):
        status = int(mode.removeprefix("status:"))
        assert error.status == status, f"{mode}: status {error.status}"
        if status in (429, 503):
            assert isinstance(error, UpstreamUnavailable), f"{mode}: {named(error)}"
            assert getattr(error, "retry_after_s", None) == RETRY_AFTER_S, (
                f"{mode}: Retry-After {RETRY_AFTER_S} s not kept (retry_after_s)"
            )
        else:
            assert not isinstance(error, UpstreamTimeout | UpstreamUnavailable), (
                f"{mode}: {named(error)}"
            )
    elif mode == "hang":
        assert isinstance(error, UpstreamTimeout), f"{mode}: {named(error)}"
        assert elapsed < timeout + 2.0, f"{mode}: gave up after {elapsed:.1f} s"
    elif mode in ("garbage", "html", "scalar", "empty"):
        assert isinstance(error, UpstreamProtocolError), f"{mode}: {named(error)}"


async def redirect_not_followed(h: Harness, ask: Ask) -> None:
    """A redirect to another host is an error, and that host gets no request."""
    async with (
        BadUpstream("ok") as elsewhere,
        BadUpstream("redirect", elsewhere=f"{elsewhere.url}/stolen") as bad,
    ):
        error = await outcome(ask(h.make(bad.url)))
        assert isinstance(error, UpstreamError), named(error)
        assert elsewhere.requests == 0, "the adapter followed a redirect to another host"


async def no_shared_state(h: Harness, url: str, ask: Ask, ids: Ids, truth: list[str]) -> None:
    """Closing, failing or being new never makes one instance answer from another."""
    first, second = h.make(url), h.make(url)
    assert sorted(ids(await ask(first))) == truth
    await first.aclose()
    assert sorted(ids(await ask(second))) == truth, "closing one instance broke another"
    async with BadUpstream("status:500") as bad:
        failing, healthy = h.make(bad.url), h.make(url)
        outcomes = await asyncio.gather(ask(failing), ask(healthy), return_exceptions=True)
        assert isinstance(outcomes[0], UpstreamError), named(outcomes[0])
        assert not isinstance(outcomes[1], BaseException), named(outcomes[1])
        assert sorted(ids(outcomes[1])) == truth
        error = await outcome(ask(h.make(bad.url)))
        assert isinstance(error, UpstreamError), (
            "a new instance for another platform answered from what an older one fetched"
        )


async def aclose_idempotent(h: Harness, url: str, ask: Ask) -> None:
    """``aclose`` twice is fine, used or not; a question after it is an ``AdapterError``."""
    unused = h.make(url)
    await unused.aclose()
    await unused.aclose()
    used = h.make(url)
    await ask(used)
    await used.aclose()
    await used.aclose()
    error = await outcome(ask(used))
    assert isinstance(error, AdapterError), f"after aclose: {named(error)}"
