"""The federation file's JSON Schema agrees with the typed loader.

It accepts every file the loader accepts here (the demo federation, the test
federations) and rejects the loader's bad cases; docs/ publishes the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from adapters.registry import AdapterRegistry
from gateway.federation import FederationError, parse_federation
from gateway.federation.json_schema import SCHEMA_PATH, federation_schema, schema_problems
from tests.support.federation_files import write_federation

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = AdapterRegistry.from_entry_points()
MALMO = {
    "name": "Malmö",
    "kommunkod": "1280",
    "adapter": {"kind": "ngsi-ld", "url": "http://127.0.0.1:9108"},
    "datasets": {"WeatherObserved": {"access": "public"}},
}


def _loads(document: dict[str, Any]) -> bool:
    try:
        parse_federation(yaml.safe_dump(document, allow_unicode=True), "f.yaml", REGISTRY, {})
    except FederationError:
        return False
    return True


def test_docs_publishes_the_packaged_schema() -> None:
    published = (ROOT / "docs" / "federation.schema.json").read_text(encoding="utf-8")
    assert published == SCHEMA_PATH.read_text(encoding="utf-8"), (
        "copy gateway/federation/federation.schema.json to docs/"
    )
    Draft202012Validator.check_schema(federation_schema())


def test_the_demo_federation_is_valid() -> None:
    document = yaml.safe_load((ROOT / "federation.yaml").read_text(encoding="utf-8"))
    assert schema_problems(document) == []


def test_the_test_federations_are_valid(tmp_path: Path) -> None:
    urls = {"malmo": "http://127.0.0.1:1", "lund": "http://127.0.0.1:2"}
    path = write_federation(
        tmp_path / "f.yaml",
        urls,
        gateway={"timeout_s": 1.5, "deadline_s": 4, "max_page_size": 500},
        auth={"issuer": "https://idp.example.se", "audience": "urn:caap:gateway"},
        audit={"file": "audit.jsonl"},
    )
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _loads(document)
    assert schema_problems(document) == []


GRANTS = [
    {"clients": ["smhi"]},
    {"scopes": {"all_of": ["caap:utility:read"]}, "drop": ["address"], "coarsen_m": 500},
    {"scopes": ["a", "b"], "where": [{"attribute": "alarmTamper", "op": "eq", "value": 0}]},
    {"public": True, "aggregate_only": True, "min_group_size": 5},
]


def test_the_policy_language_is_valid() -> None:
    document = {"cities": {"malmo": {**MALMO, "datasets": {"Beach": {"access": GRANTS}}}}}
    assert _loads(document)
    assert schema_problems(document) == []


def _city(**changes: Any) -> dict[str, Any]:
    city = {**MALMO, **changes}
    return {"cities": {"malmo": {k: v for k, v in city.items() if v is not None}}}


BAD = {
    "no cities": {"auth": None},
    "empty cities": {"cities": {}},
    "unknown top-level key": {"cities": {"malmo": MALMO}, "citys": {}},
    "upper-case city id": {"cities": {"Malmo": MALMO}},
    "kommunkod as a number": _city(kommunkod=1280),
    "kommunkod of 3 digits": _city(kommunkod="128"),
    "no name": _city(name=None),
    "no adapter": _city(adapter=None),
    "adapter without kind": _city(adapter={"url": "http://127.0.0.1:1"}),
    "unknown city key": _city(kommun="x"),
    "negative timeout": _city(timeout_s=-1),
    "no datasets": _city(datasets={}),
    "dataset without access": _city(datasets={"WeatherObserved": {}}),
    "access of a wrong word": _city(datasets={"WeatherObserved": {"access": "open"}}),
    "grant with no audience": _city(datasets={"Beach": {"access": {"drop": ["x"]}}}),
    "row filter with an unknown op": _city(
        datasets={
            "Beach": {
                "access": {"public": True, "where": [{"attribute": "a", "op": "like", "value": 1}]}
            }
        }
    ),
    "auth without audience": {
        "cities": {"malmo": MALMO},
        "auth": {"issuer": "https://idp.example.se"},
    },
    "page size above 1000": {"cities": {"malmo": MALMO}, "gateway": {"max_page_size": 5000}},
    "unknown gateway key": {"cities": {"malmo": MALMO}, "gateway": {"timeout": 5}},
}


@pytest.mark.parametrize("case", list(BAD))
def test_the_loaders_bad_cases_are_invalid(case: str) -> None:
    document = BAD[case]
    assert isinstance(document, dict)
    assert not _loads(document), "the loader refuses it"
    assert schema_problems(document), "and so does the schema"
