"""The optional streaming capability: a platform that pushes changes (issue 15).

An adapter whose platform can push (NGSI-LD notifications, SensorThings or Lynx
over MQTT) also implements ``Streaming``. The gateway opens one stream per
(city, type, push-down) and shares it among every subscriber; it applies the
caller's filters and the city's policy to each entity itself, as for queries.

A platform that notifies over HTTP (an NGSI-LD subscription) needs an address
on the gateway to POST to: the adapter asks ``CallbackHost.inbox()`` for one,
gives the platform ``inbox.url`` (which carries a secret), and reads the
notification bodies from the inbox. The gateway refuses a POST to an unknown or
closed inbox. Platforms reached over MQTT need no inbox.

Errors: when the channel cannot be opened or dies, the stream raises an
``adapters.errors.AdapterError`` (e.g. ``UpstreamUnavailable``); the gateway then
polls the city and tries the stream again later. A stream ends only when the
gateway closes it (``aclose`` on the iterator, or cancelling the task reading
it); the adapter then removes what it created on the platform (the subscription).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from adapters.contract import Condition, SourceEntity


@dataclass(frozen=True, slots=True)
class StreamQuery:
    """Which changes a stream carries: entities of ``entity_type``.

    ``attrs`` None means every attribute. ``where`` conditions may be pushed down
    to the platform's subscription (the gateway checks every event again).
    """

    entity_type: str
    attrs: tuple[str, ...] | None = None
    where: tuple[Condition, ...] = ()


class NotificationInbox(Protocol):
    """An address on the gateway that receives a platform's HTTP notifications."""

    @property
    def url(self) -> str:
        """The absolute URL the platform should POST notifications to (holds a secret)."""
        ...

    def __aiter__(self) -> AsyncIterator[bytes]:
        """The bodies of the notifications POSTed to ``url``, in arrival order."""
        ...


class CallbackHost(Protocol):
    """The gateway's side of HTTP notifications: hands out inboxes."""

    def inbox(self) -> AbstractAsyncContextManager[NotificationInbox]:
        """A new inbox, open while the context is; POSTs to it afterwards are refused."""
        ...


@runtime_checkable
class Streaming(Protocol):
    """An adapter whose platform pushes changes."""

    def stream_entities(
        self, query: StreamQuery, callbacks: CallbackHost
    ) -> AsyncIterator[SourceEntity]:
        """Each entity of ``query.entity_type`` as the platform reports it changed,
        mapped as ``fetch_entities`` maps it; raises ``AdapterError`` when the channel fails."""
        ...
