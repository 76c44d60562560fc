"""Which optional push-downs a city's SensorThings server accepts, learnt as it answers.

Three filters are pushed down only as a help (the adapter filters every answer
itself, so leaving one out changes no answer, only how much is read):

- ``time``: ``Datastreams/Observations/phenomenonTime ge <after>`` on Things;
- ``geo``: ``geo.intersects(location, geography'POLYGON(...)')`` on Locations,
  giving the ids of the Things in the area;
- ``where``: ``Datastreams/Observations/result gt 25`` and the like on Things
  (``where.py``).

When the server rejects a request carrying one of them with a 4xx that says
"not understood" (400, 404, 405, 422, 501), the adapter drops it, asks again,
and remembers it for this city: logged once (WARNING), counted in ``rejections``
and reported to the gateway through ``AdapterContext.extra["on_push_down_rejected"]``
(a callable taking the city id and the push-down's name), when given.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from adapters.errors import UpstreamError, UpstreamUnavailable

PUSH_DOWNS = ("time", "geo", "where")
REJECTING = frozenset({400, 404, 405, 422, 501})
"""Statuses that mean "I do not understand this request" (not 401/403/429/5xx)."""
HOOK = "on_push_down_rejected"


def rejected_by_server(exc: BaseException) -> bool:
    """True when ``exc`` is the server refusing the request as asked."""
    return (
        isinstance(exc, UpstreamError)
        and not isinstance(exc, UpstreamUnavailable)
        and exc.status in REJECTING
    )


class PushDowns:
    """The push-downs still used for one city, and why the others were dropped."""

    def __init__(self, city_id: str, logger: logging.Logger, extra: Mapping[str, Any]) -> None:
        self._city_id = city_id
        self._log = logger
        hook = extra.get(HOOK)
        self._hook: Callable[[str, str], None] | None = hook if callable(hook) else None
        self.dropped: dict[str, str] = {}
        """Push-down -> what the server said when it rejected it."""
        self.rejections: Counter[str] = Counter()
        """Push-down -> how many requests the server rejected because of it."""

    def allowed(self, name: str) -> bool:
        """True while the server has not rejected ``name``."""
        return name not in self.dropped

    def reject(self, name: str, exc: BaseException) -> None:
        """The server rejected a request with ``name`` in it: drop it for this city."""
        self.rejections[name] += 1
        if self._hook is not None:
            self._hook(self._city_id, name)
        if name in self.dropped:
            return
        self.dropped[name] = str(exc)
        self._log.warning(
            "SensorThings server of %s rejected the %s push-down (%s); filtering locally now",
            self._city_id,
            name,
            exc,
        )

    def accepted(self) -> tuple[str, ...]:
        """The push-downs still in use."""
        return tuple(name for name in PUSH_DOWNS if self.allowed(name))
