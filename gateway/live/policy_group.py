"""Subscribers of one stream who see its events alike: one policy class, one filter.

Each event passes the grant's rules (drop/keep, coarsening, row filters) and the
caller's filters once for the whole group, exactly as ``entities`` would show the
entity (``gateway/query/filtering.py``), and the one resulting ``Delivery`` is
queued to every subscriber of the group. A grant's ``older_than_min`` delays
delivery until the observation is that old (``delay_line.py``).
"""

from __future__ import annotations

from dataclasses import replace

from adapters.contract import SourceQuery
from gateway.clock import Clocks
from gateway.federation.model import Rules
from gateway.live.delay_line import DelayLine
from gateway.live.events import EntityChange, Event
from gateway.live.subscriber import Delivery, Subscriber
from gateway.query.filtering import visible_rows


class PolicyGroup:
    """``rules`` then ``wanted`` applied to each event, once, for every subscriber here."""

    def __init__(self, rules: Rules, wanted: SourceQuery, clocks: Clocks, held: int) -> None:
        self.rules = rules
        self.wanted = wanted
        self.subscribers: set[Subscriber] = set()
        self.delay_s = rules.older_than_min * 60.0 if rules.older_than_min else 0.0
        self._delay: DelayLine[EntityChange] | None = (
            DelayLine(clocks, self._show, held) if self.delay_s else None
        )
        self.shown = 0
        """Events that passed (once each, whatever the number of subscribers)."""

    def receive(self, event: Event) -> None:
        """Pass ``event`` to the subscribers as the policy allows."""
        if not isinstance(event, EntityChange):
            self._offer(Delivery(event))
            return
        if self._delay is None:
            self._show(event)
            return
        observed = event.entity.observed_at
        if observed is None:
            return  # its age cannot be told: a delayed grant never shows it
        self._delay.put(observed.timestamp() + self.delay_s, event)

    def _show(self, event: EntityChange) -> None:
        rows = visible_rows([event.entity], self.wanted, self.rules)
        if rows:
            self.shown += 1
            self._offer(Delivery(replace(event, entity=rows[0])))

    def _offer(self, delivery: Delivery) -> None:
        for subscriber in list(self.subscribers):
            subscriber.offer(delivery)

    async def aclose(self) -> None:
        """Drop events still held back."""
        if self._delay is not None:
            await self._delay.aclose()
