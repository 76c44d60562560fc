"""Mapped entities of answers already seen, by the answer's bytes (ADR 0024).

A broker answers a query it was asked before with the same bytes until its data
changes, and the gateway asks again and again (every request whose cache entry has
expired, every query that differs only in a value the platform does not filter on).
Decoding and mapping those bytes gives the same entities each time, so the entities of
a recent answer are kept under its body (the bytes themselves are the key: equal keys
are equal bytes, no digest can collide) and everything the mapping depends on, and
reused. Nothing about freshness changes: the broker is still asked every time; only
the work of turning identical bytes into entities is skipped.

The entities are shared, as the gateway's upstream cache already shares them: the
contract's entities are frozen and nobody changes their attributes. Memory is bounded
by the bytes of the answers held (``max_body_bytes``); an answer larger than a
quarter of that is not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from cachetools import LRUCache

from adapters.contract import SourceEntity

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Bytes of answers whose entities are held (the entities take a few times that)."""

Key = tuple[bytes, Hashable]
Mapped = tuple[Sequence[SourceEntity], int]
"""The entities mapped of a page, and how many entities the page held."""


class PageMemo:
    """Mapped pages by (body, mapping parameters), least recently used first out."""

    def __init__(self, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self._largest = max_body_bytes // 4
        self._pages: LRUCache[Key, tuple[Mapped, int]] = LRUCache(
            maxsize=max_body_bytes, getsizeof=lambda entry: entry[1]
        )

    def mapped(self, body: bytes, parameters: Hashable, map_page: Callable[[], Mapped]) -> Mapped:
        """What ``map_page`` gives for an answer ``body`` mapped with ``parameters``:
        remembered, or mapped now."""
        key = (body, parameters)
        found = self._pages.get(key)
        if found is not None:
            return found[0]
        entities, held = map_page()  # a mapping error propagates: nothing is kept
        result = (tuple(entities), held)
        if 0 < len(body) <= self._largest:
            self._pages[key] = (result, len(body))
        return result


shared = PageMemo()
"""One memo for every NGSI-LD adapter of the process (keys hold the mapping's settings)."""
