"""Which entities of a fresh answer changed since the previous one (polling emits only those).

Entities are compared per id on everything a caller can see of them: observation
time, location and attribute values (datasets included). Memory is bounded by the
answer: ids absent from the latest answer are forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import orjson

from adapters.contract import SourceEntity

MAX_PUSHED_IDS = 100_000
"""Ids a pushed stream remembers; past that the oldest is forgotten (memory stays bounded)."""


def fingerprint(entity: SourceEntity) -> bytes:
    """A digest of what a caller can see of ``entity`` (its id aside)."""
    location = (entity.location.lat, entity.location.lon) if entity.location else None
    observed = entity.observed_at.isoformat() if entity.observed_at else None
    raw = orjson.dumps(
        [entity.type, observed, location, entity.attributes, entity.datasets],
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )
    return hashlib.blake2b(raw, digest_size=16).digest()


class ChangeDetector:
    """Remembers the last seen version of each entity id of one stream."""

    def __init__(self) -> None:
        self._seen: dict[str, bytes] = {}
        self.primed = False
        """True once a first answer was seen: it sets the baseline and emits nothing."""

    def changed(self, entities: Iterable[SourceEntity]) -> list[SourceEntity]:
        """The entities of a complete answer that are new or differ from the last answer;
        nothing for the first answer (the baseline)."""
        latest: dict[str, bytes] = {}
        out: list[SourceEntity] = []
        for entity in entities:
            digest = fingerprint(entity)
            latest[entity.id] = digest
            if self.primed and self._seen.get(entity.id) != digest:
                out.append(entity)
        self._seen = latest
        self.primed = True
        return out

    def note(self, entity: SourceEntity) -> bool:
        """Record one pushed entity; True when it differs from what was last seen."""
        digest = fingerprint(entity)
        self.primed = True
        if self._seen.get(entity.id) == digest:
            return False
        self._seen.pop(entity.id, None)  # re-inserted last: the oldest id comes first
        self._seen[entity.id] = digest
        if len(self._seen) > MAX_PUSHED_IDS:
            del self._seen[next(iter(self._seen))]
        return True
