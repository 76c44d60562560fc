"""NGSI-LD subscriptions (GS CIM 009 clauses 5.2.12 and 6.10-6.11): what a client asked
to be notified of, checked as a broker checks it, and kept until deleted.

Supported: ``entities`` (type, optional ``id``), ``watchedAttributes``,
``notification`` (``endpoint.uri``/``accept``, ``format`` normalized, keyValues or
concise, ``attributes``), ``expiresAt``, ``isActive``. Refused with 501
OperationNotSupported: ``q``, ``geoQ``, ``timeInterval`` (this simulator notifies on
change only and filters nothing but type and id). A subscription whose
``expiresAt`` has passed (wall time) is ``expired``: kept, shown, never notified,
not counted as active.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.problems import bad_request, ngsi_problem
from citysim.ngsi_ld.render import Form
from citysim.ngsi_ld.vocabulary import stored
from citysim.settings import ContextStyle
from citysim.world.catalog import MODELS

FORMATS: Mapping[str, Form] = {
    "normalized": "normalized",
    "keyValues": "simplified",
    "simplified": "simplified",
    "concise": "concise",
}
"""``notification.format`` -> how entities are rendered."""
ACCEPTS = ("application/json", "application/ld+json")
UNSUPPORTED = ("q", "geoQ", "timeInterval", "temporalQ", "scopeQ", "csf")
_MEMBERS = frozenset({
    "id", "type", "subscriptionName", "description", "entities", "watchedAttributes",
    "notification", "expiresAt", "isActive", "throttling", "lang", "@context", *UNSUPPORTED,
})  # fmt: skip


@dataclass(slots=True)
class Subscription:
    """One accepted subscription and its notification record."""

    id: str
    body: dict[str, Any]
    """The members as the client gave them (after PATCHes), without status fields."""
    context: TermContext
    type_names: frozenset[str]
    """The simulated types it watches (Smart Data Models names)."""
    entity_ids: frozenset[str] | None
    attributes: tuple[str, ...] | None
    endpoint: str
    accept: str
    form: Form
    expires_at: float | None
    active: bool
    times_sent: int = 0
    times_failed: int = 0
    last_notification: str | None = None
    last_success: str | None = None
    last_failure: str | None = None

    def expired(self, now: float) -> bool:
        """``expiresAt`` has passed."""
        return self.expires_at is not None and self.expires_at <= now

    def describe(self, now: float) -> dict[str, Any]:
        """The subscription as GET shows it: the client's members and the status."""
        expired = self.expired(now)
        notification = dict(self.body["notification"])
        failed = self.last_failure is not None and self.last_failure == self.last_notification
        notification.update({
            "format": notification.get("format", "normalized"),
            "status": "failed" if failed else "ok",
            "timesSent": self.times_sent,
            "timesFailed": self.times_failed,
        })  # fmt: skip
        for member, value in (
            ("lastNotification", self.last_notification),
            ("lastSuccess", self.last_success),
            ("lastFailure", self.last_failure),
        ):
            if value is not None:
                notification[member] = value
        status = "expired" if expired else "active" if self.active else "paused"
        return {
            **{k: v for k, v in self.body.items() if k != "@context"},
            "id": self.id,
            "type": "Subscription",
            "notification": notification,
            "isActive": self.active and not expired,
            "status": status,
        }


@dataclass(slots=True)
class Subscriptions:
    """A broker's subscriptions; ``clock`` is wall time (``expiresAt`` is absolute)."""

    style: ContextStyle
    clock: Callable[[], float] = time.time
    _by_id: dict[str, Subscription] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Subscription]:
        return iter(list(self._by_id.values()))

    def find(self, subscription_id: str) -> Subscription:
        """The subscription, expired or not; raises 404 ResourceNotFound."""
        found = self._by_id.get(subscription_id)
        if found is None:
            raise ngsi_problem(
                404, "ResourceNotFound", f"subscription {subscription_id} does not exist"
            )
        return found

    def active(self) -> list[Subscription]:
        """Those to notify: active and not expired."""
        now = self.clock()
        return [s for s in self._by_id.values() if s.active and not s.expired(now)]

    def watched_types(self) -> frozenset[str]:
        """Every simulated type an active subscription watches."""
        return frozenset(t for s in self.active() for t in s.type_names)

    def create(self, body: Any, context: TermContext) -> Subscription:
        """Check and keep a new subscription; raises ``Problem`` (400, 409, 501)."""
        if not isinstance(body, dict):
            raise bad_request("body", "a subscription is a JSON object")
        subscription_id = body.get("id", f"urn:ngsi-ld:Subscription:{uuid.uuid4()}")
        if not isinstance(subscription_id, str) or ":" not in subscription_id:
            raise bad_request("id", f"{subscription_id!r} is not a URI")
        if subscription_id in self._by_id:
            raise ngsi_problem(409, "AlreadyExists", f"subscription {subscription_id} exists")
        subscription = self._checked(subscription_id, body, context)
        self._by_id[subscription_id] = subscription
        return subscription

    def update(self, subscription_id: str, patch: Any, context: TermContext) -> None:
        """Merge ``patch`` into the subscription (clause 5.8.2); raises ``Problem``."""
        current = self.find(subscription_id)
        if not isinstance(patch, dict) or not patch:
            raise bad_request("body", "a subscription fragment is a non-empty JSON object")
        if "id" in patch and patch["id"] != subscription_id:
            raise bad_request("id", "cannot be changed")
        merged = {**current.body, **{k: v for k, v in patch.items() if k != "@context"}}
        if isinstance(patch.get("notification"), dict):
            merged["notification"] = {**current.body["notification"], **patch["notification"]}
        updated = self._checked(subscription_id, merged, context)
        for name in (
            "times_sent",
            "times_failed",
            "last_notification",
            "last_success",
            "last_failure",
        ):
            setattr(updated, name, getattr(current, name))
        self._by_id[subscription_id] = updated

    def delete(self, subscription_id: str) -> None:
        """Forget the subscription; raises 404 when there is none."""
        del self._by_id[self.find(subscription_id).id]

    def _checked(
        self, subscription_id: str, body: dict[str, Any], ctx: TermContext
    ) -> Subscription:
        unknown = sorted(set(body) - _MEMBERS)
        if unknown:
            raise bad_request(unknown[0], "is not a member of a Subscription")
        for member in UNSUPPORTED:
            if member in body:
                raise ngsi_problem(
                    501,
                    "OperationNotSupported",
                    f"{member}: not supported by this broker's subscriptions",
                )
        if body.get("type") != "Subscription":
            raise bad_request("type", f"must be 'Subscription', got {body.get('type')!r}")
        entities = body.get("entities")
        watched = body.get("watchedAttributes")
        if entities is None and watched is None:
            raise bad_request("entities", "a subscription needs entities or watchedAttributes")
        type_names, entity_ids = self._selected(entities, ctx)
        if watched is not None and not _strings(watched):
            raise bad_request("watchedAttributes", "must be a non-empty array of attribute names")
        notification = body.get("notification")
        if not isinstance(notification, dict):
            raise bad_request("notification", "is required and must be an object")
        endpoint = notification.get("endpoint")
        if not isinstance(endpoint, dict) or not isinstance(endpoint.get("uri"), str):
            raise bad_request("notification.endpoint.uri", "is required")
        uri = endpoint["uri"]
        if not uri.startswith(("http://", "https://")):
            raise bad_request("notification.endpoint.uri", f"{uri!r} is not an http(s) URI")
        accept = endpoint.get("accept", "application/json")
        if accept not in ACCEPTS:
            raise bad_request(
                "notification.endpoint.accept", f"must be one of {', '.join(ACCEPTS)}"
            )
        form = FORMATS.get(notification.get("format", "normalized"))
        if form is None:
            raise bad_request("notification.format", f"must be one of {', '.join(FORMATS)}")
        attributes = notification.get("attributes")
        if attributes is not None and not _strings(attributes):
            raise bad_request("notification.attributes", "must be a non-empty array of names")
        expires_at = _expires_at(body.get("expiresAt"), self.clock())
        active = body.get("isActive", True)
        if not isinstance(active, bool):
            raise bad_request("isActive", "must be true or false")
        return Subscription(
            id=subscription_id,
            body=body,
            context=ctx,
            type_names=type_names,
            entity_ids=entity_ids,
            attributes=tuple(attributes) if attributes is not None else None,
            endpoint=uri,
            accept=accept,
            form=form,
            expires_at=expires_at,
            active=active,
        )

    def _selected(
        self, entities: Any, ctx: TermContext
    ) -> tuple[frozenset[str], frozenset[str] | None]:
        if entities is None:
            return frozenset(m.type_name for m in MODELS), None
        if not isinstance(entities, list) or not entities:
            raise bad_request("entities", "must be a non-empty array")
        types: set[str] = set()
        ids: set[str] | None = set()
        for i, selector in enumerate(entities):
            if not isinstance(selector, dict) or not isinstance(selector.get("type"), str):
                raise bad_request(f"entities[{i}].type", "is required")
            iri = ctx.expand(selector["type"])
            types.update(
                m.type_name for m in MODELS if stored(m.type_name, self.style).type_iri == iri
            )
            if "id" in selector and ids is not None:
                ids.add(str(selector["id"]))
            else:
                ids = None
        return frozenset(types), frozenset(ids) if ids else None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _expires_at(value: Any, now: float) -> float | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("expiresAt", "must be a DateTime string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request("expiresAt", f"{value!r} is not a DateTime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.timestamp() <= now:
        raise bad_request("expiresAt", f"{value} is in the past")
    return moment.timestamp()
