"""The adapter SDK: what every adapter needs besides its own protocol.

- ``PlatformClient`` (``client``): the city's HTTP session, JSON (or any) requests with
  typed errors (``fetch``), secrets kept out of messages, links to other hosts refused;
  ``next_link`` (``links``) reads a ``Link: <...>; rel="next"`` header.
- ``parse_config`` (``config``): a frozen dataclass is the adapter's typed config;
  unknown keys and wrong values are ``ConfigError`` naming the dotted key.
- ``to_model_unit`` (``models``, ``units``): platform units into Smart Data Models units.
- ``parse_instant`` / ``from_epoch`` (``times``): platform times into UTC datetimes.
- ``Collector`` (``collect``): pages into a ``SourceResult`` honouring filters,
  ``offset`` and ``limit``.
- ``aggregate`` (``aggregate``): history points aggregated per period, as a broker would.
- ``representative_point`` (``geojson``): the one point of a GeoJSON geometry.
- ``iso_duration`` (``durations``): seconds as an ISO 8601 duration (``P30D``).
- ``described`` / ``attribute_info`` / ``deliverable`` (``unit_codes``): attributes for
  discovery, with the UN/CEFACT code and symbol of the unit they are delivered in.

The conformance kit that checks an adapter is ``adapters.testing``.
"""

from adapters.sdk.aggregate import aggregate
from adapters.sdk.client import PlatformClient
from adapters.sdk.collect import Collector
from adapters.sdk.config import Between, Matches, Secret, http_url, parse_config
from adapters.sdk.durations import iso_duration
from adapters.sdk.fetch import Answer, JsonAnswer, fetch, request_json
from adapters.sdk.geojson import representative_point
from adapters.sdk.links import next_link
from adapters.sdk.local import matches, project
from adapters.sdk.models import MODEL_UNITS, model_unit, to_model_unit
from adapters.sdk.times import from_epoch, iso_z, parse_instant
from adapters.sdk.unit_codes import attribute_info, deliverable, described
from adapters.sdk.units import Unit, UnitError, convert, unit

__all__ = [
    "MODEL_UNITS",
    "Answer",
    "Between",
    "Collector",
    "JsonAnswer",
    "Matches",
    "PlatformClient",
    "Secret",
    "Unit",
    "UnitError",
    "aggregate",
    "attribute_info",
    "convert",
    "deliverable",
    "described",
    "fetch",
    "from_epoch",
    "http_url",
    "iso_duration",
    "iso_z",
    "matches",
    "model_unit",
    "next_link",
    "parse_config",
    "parse_instant",
    "project",
    "representative_point",
    "request_json",
    "to_model_unit",
    "unit",
]
