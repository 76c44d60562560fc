"""What each NGSI-LD broker does its own way, and how the adapter meets it.

One ``Dialect`` per broker the adapter knows, chosen by the city's ``dialect`` key.
Each behaviour names where it was seen:

- ``etsi``: ETSI GS CIM 009 as written (``limit``/``offset``, ``count=true``,
  ``Link: rel="next"``).
- ``orion-ld``: FIWARE Orion-LD. A DateTime property written as a typed literal is
  stored as ``{"@type": "DateTime", "@value": ...}`` (functional test
  ``ngsild_entity_creation_one_property_DateTime.test``) and ``q`` compares the stored
  value, so ``q`` on such an attribute matches nothing (its q tests,
  ``ngsild_new_entity_query-with-q-DateTime_*.test``, use plain strings only): the
  time window is not pushed down but applied here.
- ``stellio``: Stellio refuses ``limit`` over 100 (``application.pagination.limit-max = 100``
  in its ``shared.properties``) and caps temporal instances, answering 206 with
  ``Content-Range`` (``TemporalApiResponses.kt``).
- ``scorpio``: Scorpio, the ETSI behaviour (``scorpio.entity.max-limit=1000`` and
  ``scorpio.history.max-limit=1000`` in its ``application.properties``); it may answer
  every aggregation method whatever was asked (``docs/en/source/aggregation-support.rst``),
  so only the asked one is read (``temporal_read.py``).
- ``mintaka``: FIWARE Mintaka, the temporal service beside Orion-LD: pages with
  ``pageSize``/``pageAnchor`` and a ``Next-Page`` header (an entity id), counts only
  with ``options=count``, ignores ``offset`` and ``count``, takes at most 100 per page
  on its POST query (``@Max(100)``, asked of GET alike here), answers 206 with
  ``Content-Range`` when it caps instances (``TemporalApiController.java``).
- ``diwise``: diwise context-broker. Its temporal query reads ``attributes``, not
  ``attrs``, and answers every entity at once (no ``limit``, count nor Link paging;
  ``temporal.go``); it takes no ``options`` value but ``keyValues``; it answers 404
  both for "not found" and for what its authorisation refuses (``mapCIMToNGSILDError``).
  The attributes are asked by ``attributes`` (citysim's diwise imitation reads it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from adapters.errors import UpstreamError

DialectName = Literal["etsi", "orion-ld", "stellio", "scorpio", "mintaka", "diwise"]
TemporalPaging = Literal["offset", "page-anchor", "none"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one broker is asked, and what its answers mean."""

    name: DialectName
    max_limit: int = 1000
    """The largest ``limit`` (page size) the broker accepts."""
    time_push_down: bool = True
    """``q`` on the time property finds what it should (else filtered here)."""
    options: bool = True
    """The broker takes ``options`` besides ``keyValues`` (``temporalValues``, ...)."""
    temporal_attrs: str | None = "attrs"
    """The parameter naming the attributes of a temporal query (None: not sent, the
    attributes are picked from the answer)."""
    temporal_paging: TemporalPaging = "offset"
    """``offset``: ``limit``/``offset`` and ``Link``; ``page-anchor``: Mintaka's
    ``pageSize``/``pageAnchor``/``Next-Page``; ``none``: one answer holds everything."""
    temporal_count: tuple[str, str] | None = ("count", "true")
    """The parameter asking for ``NGSILD-Results-Count`` on a temporal query."""
    not_found_may_mean_forbidden: bool = False


DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect("etsi"),
        Dialect("orion-ld", time_push_down=False),
        Dialect("stellio", max_limit=100),
        Dialect("scorpio"),
        Dialect(
            "mintaka",
            max_limit=100,
            temporal_paging="page-anchor",
            temporal_count=("options", "count"),
        ),
        Dialect(
            "diwise",
            options=False,
            temporal_attrs="attributes",
            temporal_paging="none",
            temporal_count=None,
            not_found_may_mean_forbidden=True,
        ),
    )
}


def dialect_error(error: UpstreamError, dialect: Dialect) -> UpstreamError:
    """``error``, reworded where the dialect gives its status another meaning."""
    if dialect.not_found_may_mean_forbidden and error.status == 404:
        return UpstreamError(
            f"{error} ({dialect.name} answers 404 also when the gateway's credentials may not "
            "read this type or tenant)",
            status=404,
        )
    return error
