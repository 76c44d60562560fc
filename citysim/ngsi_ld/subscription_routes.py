"""The subscription API of a simulated broker (GS CIM 009 clauses 6.10-6.11) and the
notifications it sends (clause 5.2.14's body: ``{id, type: "Notification",
subscriptionId, notifiedAt, data}``) when the world changes (``citysim.changes``).

``POST /ngsi-ld/v1/subscriptions``: 201 and ``Location``; ``GET`` (list and one),
``PATCH /ngsi-ld/v1/subscriptions/{id}``: 204; ``DELETE``: 204; an unknown id 404.
A notification is POSTed with the entities of one changed type that the
subscription selects, rendered in its ``format`` with its @context (in a ``Link``
header for ``application/json``, in each entity for ``application/ld+json``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import aiohttp
import orjson
from aiohttp import web
from yarl import URL

from citysim.jsonld import JSONLD_CONTEXT_REL
from citysim.ngsi_ld.payload import read_payload
from citysim.ngsi_ld.render import Renderer
from citysim.ngsi_ld.subscriptions import Subscription, Subscriptions
from citysim.ngsi_ld.vocabulary import stored
from citysim.settings import ContextStyle
from citysim.world.city import Entity

log = logging.getLogger("citysim.ngsi_ld.subscriptions")

PATH = "/ngsi-ld/v1/subscriptions"
NOTIFY_TIMEOUT_S = 5.0
GARBAGE = b"\x00{not a notification"
SUBSCRIPTIONS = web.AppKey("subscriptions", Subscriptions)


def add_routes(app: web.Application, subscriptions: Subscriptions) -> None:
    """Register the subscription routes on a broker's application."""
    app[SUBSCRIPTIONS] = subscriptions
    for root in (PATH, PATH + "/"):
        app.router.add_post(root, create)
        app.router.add_get(root, list_all)
    one = PATH + "/{subscriptionId}"
    app.router.add_get(one, show)
    app.router.add_patch(one, update)
    app.router.add_delete(one, delete)


async def create(request: web.Request) -> web.Response:
    """Create Subscription (clause 6.10.3.1): 201 with its ``Location``."""
    body, ctx = await read_payload(request)
    subscription = request.app[SUBSCRIPTIONS].create(body, ctx)
    return web.Response(status=201, headers={"Location": f"{PATH}/{subscription.id}"})


async def list_all(request: web.Request) -> web.Response:
    """Query Subscriptions (clause 6.10.3.2)."""
    subscriptions = request.app[SUBSCRIPTIONS]
    now = subscriptions.clock()
    return _json([s.describe(now) for s in subscriptions])


async def show(request: web.Request) -> web.Response:
    """Retrieve Subscription (clause 6.11.3.1)."""
    subscriptions = request.app[SUBSCRIPTIONS]
    found = subscriptions.find(request.match_info["subscriptionId"])
    return _json(found.describe(subscriptions.clock()))


async def update(request: web.Request) -> web.Response:
    """Update Subscription (clause 6.11.3.2): 204."""
    body, ctx = await read_payload(request)
    request.app[SUBSCRIPTIONS].update(request.match_info["subscriptionId"], body, ctx)
    return web.Response(status=204)


async def delete(request: web.Request) -> web.Response:
    """Delete Subscription (clause 6.11.3.3): 204."""
    request.app[SUBSCRIPTIONS].delete(request.match_info["subscriptionId"])
    return web.Response(status=204)


class Notifier:
    """Sends a broker's notifications over one HTTP session (closed by ``aclose``).

    The ``orion-ld`` dialect appends ``?subscriptionId=<id>`` to the endpoint, as
    Orion-LD does (its functional tests' accumulator dumps show it).
    """

    def __init__(self, subscriptions: Subscriptions, dialect: str = "scorpio") -> None:
        self.subscriptions = subscriptions
        self.dialect = dialect
        self._session: aiohttp.ClientSession | None = None

    async def notify(self, type_name: str, entities: Sequence[Entity], garbage: bool) -> int:
        """POST the changed entities to every active subscription of ``type_name``."""
        targets = [s for s in self.subscriptions.active() if type_name in s.type_names]
        sends = [self._send(s, type_name, entities, garbage) for s in targets]
        return sum(await asyncio.gather(*sends))

    async def aclose(self) -> None:
        """Close the session."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _send(
        self, subscription: Subscription, type_name: str, entities: Sequence[Entity], garbage: bool
    ) -> int:
        selected = [
            e
            for e in entities
            if subscription.entity_ids is None or e.id in subscription.entity_ids
        ]
        if not selected:
            return 0
        body, headers = _notification(subscription, type_name, selected, self.subscriptions.style)
        if garbage:
            body = GARBAGE
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=NOTIFY_TIMEOUT_S)
            )
        now = _now()
        subscription.last_notification = now
        try:
            endpoint = subscription.endpoint
            if self.dialect == "orion-ld":
                endpoint = str(URL(endpoint).update_query(subscriptionId=subscription.id))
            async with self._session.post(endpoint, data=body, headers=headers) as r:
                await r.read()
                ok = r.status < 300
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("notifying %s failed: %s", subscription.id, exc)
            ok = False
        if ok:
            subscription.times_sent += 1
            subscription.last_success = now
        else:
            subscription.times_failed += 1
            subscription.last_failure = now
        return 1


def _notification(
    subscription: Subscription, type_name: str, entities: Sequence[Entity], style: ContextStyle
) -> tuple[bytes, dict[str, str]]:
    ctx = subscription.context
    ld = subscription.accept == "application/ld+json"
    renderer = Renderer(subscription.form, ctx.url, style, ld=ld)
    attrs = (
        None
        if subscription.attributes is None
        else stored(type_name, style).select(subscription.attributes, ctx)
    )
    body = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": subscription.id,
        "notifiedAt": _now(),
        "data": [renderer.entity(e, attrs) for e in entities],
    }
    headers = {"Content-Type": subscription.accept}
    if not ld:
        headers["Link"] = f'<{ctx.url}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
    return orjson.dumps(body), headers


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json(body: object) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")
