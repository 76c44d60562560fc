"""``Collector``: gather entities page by page into a ``SourceResult`` that honours the query.

Feed it every entity a platform sends, in the platform's order, and stop asking
for pages once it is ``full``. Two modes:

- ``refine=False``: the platform applied every filter and the offset itself; the
  collector only counts up to ``query.limit``.
- ``refine=True``: the platform answered a superset (or could not filter at all);
  the collector applies near, within and the time window (``adapters.sdk.local``)
  and skips ``query.offset`` matches itself.

::

    collector = Collector(query, refine=True)
    async for page in pages():
        collector.extend(page.entities)
        if collector.full or page.last:
            break
    return collector.result(exhausted=page.last)
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.contract import SourceEntity, SourceQuery, SourceResult
from adapters.sdk.local import matcher


class Collector:
    """Entities that match ``query``, up to its limit."""

    def __init__(self, query: SourceQuery, *, refine: bool) -> None:
        self.query = query
        self.refine = refine
        self.entities: list[SourceEntity] = []
        self.matched = 0
        """Matches offered, skipped ones included."""
        self.overflow = False
        """A match was offered after the limit was reached."""
        self._skip = query.offset if refine else 0
        self._passes = matcher(query)

    @property
    def full(self) -> bool:
        """True once ``query.limit`` entities are kept."""
        return len(self.entities) >= self.query.limit

    def extend(self, entities: Iterable[SourceEntity]) -> None:
        """Offer entities in the platform's order."""
        offered = [e for e in entities if self._passes(e)] if self.refine else list(entities)
        self.matched += len(offered)
        skipped = min(self._skip, len(offered))
        self._skip -= skipped
        room = max(0, self.query.limit - len(self.entities))
        kept = offered[skipped : skipped + room]
        self.overflow = self.overflow or len(offered) - skipped > room
        self.entities.extend(kept)

    def result(
        self,
        *,
        exhausted: bool,
        platform_total: int | None = None,
        cache_control: str | None = None,
    ) -> SourceResult:
        """The answer; ``exhausted``: the platform has nothing after what was offered.

        ``platform_total`` (the platform's count of matches) is trusted only without
        local refinement; otherwise the total is known only once exhausted.
        """
        total: int | None
        if self.refine:
            total = self.matched if exhausted else None
        elif platform_total is not None:
            total = platform_total
        else:
            total = self.query.offset + self.matched if exhausted else None
        truncated = self.overflow or (not exhausted and self.full)
        return SourceResult(
            self.entities, total_count=total, truncated=truncated, cache_control=cache_control
        )
