"""The HTTP edge of the NGSI-LD adapter: Link headers, counts, bodies, status codes.

Status codes map to errors in the SDK (``adapters.sdk.fetch.status_error``, one mapping
for every adapter); what is NGSI-LD's own is read here."""

from __future__ import annotations

import pytest
from yarl import URL

from adapters.errors import (
    UpstreamError,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from adapters.ngsi_ld.transport import entity_list, results_count
from adapters.sdk.fetch import error_text, status_error
from adapters.sdk.links import next_link

BASE = URL("http://127.0.0.1:9101/ngsi-ld/v1/entities?type=T&limit=2&offset=0")
CONTEXT_LINK = (
    '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; '
    'type="application/ld+json"'
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (['</ngsi-ld/v1/entities?type=T&limit=2&offset=2>; rel="next"'], "offset=2"),
        (
            [CONTEXT_LINK + ', </ngsi-ld/v1/entities?offset=4>;rel="next";type="application/json"'],
            "offset=4",
        ),
        ([CONTEXT_LINK, "</ngsi-ld/v1/entities?offset=6>; rel=next"], "offset=6"),
        (['<?offset=8>; rel="prev next"'], "offset=8"),
        (['<http://127.0.0.1:9101/ngsi-ld/v1/entities?offset=10>; REL="Next"'], "offset=10"),
    ],
)
def test_next_link_is_found_and_resolved(headers: list[str], expected: str) -> None:
    got = next_link(headers, BASE)
    assert got is not None
    assert got.origin() == BASE.origin()
    assert got.path == "/ngsi-ld/v1/entities"
    assert expected in got.raw_query_string


def test_next_link_with_unencoded_query_characters() -> None:
    header = (
        "</ngsi-ld/v1/entities?type=T&attrs=a,b&q=dateObserved>=2026-01-01T00:00:00Z"
        '&coordinates=[18.0,59.0]&offset=2>; rel="next", '
        '</ngsi-ld/v1/entities?offset=0>; rel="prev"'
    )
    got = next_link([header], BASE)
    assert got is not None
    assert got.query["q"] == "dateObserved>=2026-01-01T00:00:00Z"
    assert got.query["attrs"] == "a,b"
    assert got.query["offset"] == "2"


@pytest.mark.parametrize(
    "headers",
    [[], [CONTEXT_LINK], ['</x?offset=0>; rel="prev"'], ["garbage"], ['</x>; rel="nextpage"']],
)
def test_no_next_link(headers: list[str]) -> None:
    assert next_link(headers, BASE) is None


@pytest.mark.parametrize(
    ("value", "count"),
    [("42", 42), (" 7 ", 7), ("0", 0), (None, None), ("-1", None), ("many", None), ("", None)],
)
def test_results_count(value: str | None, count: int | None) -> None:
    assert results_count(value) == count


def test_entity_list_accepts_arrays_only() -> None:
    assert entity_list(b'[{"id": "urn:x", "type": "T"}]') == [{"id": "urn:x", "type": "T"}]
    assert entity_list(b"[]") == []
    with pytest.raises(UpstreamProtocolError, match="not valid JSON"):
        entity_list(b"<html>oops</html>")
    with pytest.raises(UpstreamProtocolError, match="got an object"):
        entity_list(b'{"type": "https://uri.etsi.org/ngsi-ld/errors/InternalError"}')
    with pytest.raises(UpstreamProtocolError, match="array"):
        entity_list(b"42")


def test_problem_details_title_and_detail() -> None:
    body = (
        b'{"type": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData",'
        b' "title": "Bad", "detail": "no georel"}'
    )
    assert error_text(body) == "Bad: no georel"
    assert error_text(b'{"detail": "only detail"}') == "only detail"
    assert error_text(b"not json") == ""
    assert error_text(b"[1]") == ""
    assert error_text(b"") == ""
    assert error_text(b'{"title": "line\\nbreak"}') == "line break"
    assert len(error_text(b'{"title": "' + b"x" * 5000 + b'"}')) == 300


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (503, UpstreamUnavailable),
        (500, UpstreamError),
        (502, UpstreamError),
        (400, UpstreamError),
        (401, UpstreamError),
        (404, UpstreamError),
        (301, UpstreamError),
        (204, UpstreamProtocolError),
    ],
)
def test_status_errors(status: int, kind: type[UpstreamError]) -> None:
    err = status_error(
        status, b'{"title": "Internal error", "detail": "db down"}', peer="the broker"
    )
    assert type(err) is kind
    assert err.status == status
    assert f"HTTP {status}" in str(err)
    assert "Internal error: db down" in str(err)
