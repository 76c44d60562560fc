"""Push from an NGSI-LD broker: a subscription whose notifications reach a gateway inbox.

``stream_entities`` opens an inbox (``adapters.streaming.CallbackHost``), creates a
subscription on the broker (``POST /ngsi-ld/v1/subscriptions``: the type, the
attributes asked for as ``watchedAttributes`` and ``notification.attributes``, the
inbox as endpoint with ``accept: application/json``, the type's ``format``), renews it
(``PATCH expiresAt``) when half its lifetime has passed, and deletes it when the
stream ends, however it ends (closed, cancelled, failed). Each entity of each
notification's ``data`` is mapped by ``mapping.to_source_entity`` with the
type's settings, exactly as ``fetch_entities`` maps a query answer. No ``q``: the
gateway checks every event against the caller's ``where`` itself.

Any failure (the broker refuses or cannot be reached, a renewal fails, a
notification is not a Notification) raises an ``AdapterError`` subclass, so the
gateway falls back to polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from yarl import URL

from adapters.contract import SourceEntity
from adapters.errors import UpstreamError, UpstreamProtocolError
from adapters.ngsi_ld.config import NgsiLdConfig
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.dialect import dialect_error
from adapters.ngsi_ld.mapping import to_source_entity
from adapters.ngsi_ld.query import check_name, fetched_attrs
from adapters.ngsi_ld.transport import context_link
from adapters.sdk.client import PlatformClient
from adapters.streaming import CallbackHost, StreamQuery

LIFETIME_S = 600.0
"""How long a subscription lives unless renewed (``expiresAt``); renewed at half of it."""
DELETE_TIMEOUT_S = 5.0
"""How long closing the stream waits for the broker to delete the subscription."""


async def stream_entities(
    client: PlatformClient,
    config: NgsiLdConfig,
    query: StreamQuery,
    callbacks: CallbackHost,
    log: logging.Logger,
    *,
    lifetime_s: float = LIFETIME_S,
) -> AsyncIterator[SourceEntity]:
    """The entities the broker notifies, mapped; see the module's docstring."""
    check_name("entity type", query.entity_type)
    settings = config.for_type(query.entity_type)
    terms = term_map(settings.context)
    wanted = (
        None
        if query.attrs is None
        else frozenset(query.attrs) | {terms.compact(a) for a in query.attrs}
    )
    headers = context_link(settings.context)
    async with callbacks.inbox() as inbox:
        body = subscription_body(query, config, inbox.url, _expiry(lifetime_s))
        location = await _create(client, config, body, headers)
        renewal = asyncio.create_task(_renew(client, config, location, lifetime_s, headers))
        try:
            async for notification in _bodies(inbox, renewal):
                for index, raw in enumerate(notification_data(notification)):
                    yield to_source_entity(
                        raw,
                        terms,
                        index=index,
                        wanted=wanted,
                        time_property=settings.time_property,
                        expected_type=query.entity_type,
                    )
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await renewal
            await _delete(client, config, location, log)


def subscription_body(
    query: StreamQuery, config: NgsiLdConfig, endpoint: str, expires_at: str
) -> dict[str, Any]:
    """The Subscription (GS CIM 009 clause 5.2.12) asking for ``query``'s changes."""
    settings = config.for_type(query.entity_type)
    notification: dict[str, Any] = {
        "endpoint": {"uri": endpoint, "accept": "application/json"},
        "format": settings.format,
    }
    body: dict[str, Any] = {
        "type": "Subscription",
        "entities": [{"type": query.entity_type}],
        "notification": notification,
        "expiresAt": expires_at,
    }
    if query.attrs is not None:
        attributes = fetched_attrs(query.attrs, settings)
        body["watchedAttributes"] = list(query.attrs)
        notification["attributes"] = list(attributes)
    return body


def notification_data(body: bytes) -> list[Any]:
    """The entities of a Notification body (clause 5.3.1); raises on anything else."""
    try:
        notification = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise UpstreamProtocolError("the broker sent a notification that is not JSON") from None
    if not isinstance(notification, dict) or notification.get("type") != "Notification":
        raise UpstreamProtocolError("the broker sent a notification that is not a Notification")
    data = notification.get("data")
    if not isinstance(data, list):
        raise UpstreamProtocolError("the broker's notification has no 'data' array")
    return data


async def _bodies(
    inbox: AsyncIterator[bytes] | Any, renewal: asyncio.Task[None]
) -> AsyncIterator[bytes]:
    """The inbox's bodies until the renewal fails (its error is raised)."""
    bodies = aiter(inbox)
    while True:
        following = asyncio.ensure_future(anext(bodies))
        try:
            await asyncio.wait({following, renewal}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not following.done():
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await following
        if following.done() and not following.cancelled():
            yield following.result()
        elif renewal.done():
            renewal.result()  # raises the renewal's error
            raise UpstreamProtocolError("the subscription's renewal stopped")


async def _create(
    client: PlatformClient, config: NgsiLdConfig, body: dict[str, Any], headers: Mapping[str, str]
) -> URL:
    url = config.url / "subscriptions"
    try:
        answer = await client.send(
            "POST", url, headers=headers, json_body=body, accept_status=(201,)
        )
    except UpstreamError as exc:
        raise dialect_error(exc, config.rules) from None
    location = answer.headers.get("Location")
    if not location:
        raise UpstreamProtocolError("the broker created the subscription without a Location")
    target = url.join(URL(location))
    client.check_origin(target, what="the subscription's Location")
    return target


async def _renew(
    client: PlatformClient,
    config: NgsiLdConfig,
    location: URL,
    lifetime_s: float,
    headers: Mapping[str, str],
) -> None:
    while True:
        await asyncio.sleep(lifetime_s / 2)
        patch = {"expiresAt": _expiry(lifetime_s)}
        try:
            await client.send("PATCH", location, headers=headers, json_body=patch)
        except UpstreamError as exc:
            raise dialect_error(exc, config.rules) from None


async def _delete(
    client: PlatformClient, config: NgsiLdConfig, location: URL, log: logging.Logger
) -> None:
    """Delete the subscription; a failure is logged (it expires on its own)."""
    try:
        async with asyncio.timeout(DELETE_TIMEOUT_S):
            await client.send("DELETE", location, accept_status=(200, 204, 404))
    except (UpstreamError, TimeoutError) as exc:
        log.info(
            "deleting NGSI-LD subscription %s failed (%s); it expires by itself", location.path, exc
        )


def _expiry(lifetime_s: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=lifetime_s)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
