"""models.*: published types are Smart Data Models types; live entities validate."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.contract import SourceEntity, SourceResult
from adapters.errors import AdapterError
from gateway.assessment import schemas
from gateway.assessment.evidence import Evidence, Outcome, excerpt, failed, passed
from gateway.assessment.target import CityTarget, sample_request

MAX_PROBLEMS = 5
"""Problems quoted per dataset in the evidence."""


async def published_types(target: CityTarget) -> tuple[list[str] | None, Evidence | None]:
    """The types the platform lists itself (NGSI-LD /types; None when it does not answer
    with a list), else (other kinds) the federation's datasets."""
    root = target.api_root()
    if target.kind == "ngsi-ld" and root is not None:
        answer = await target.get(f"{root}/types", target.ngsi_headers())
        document = answer.json()
        listed = document.get("typeList") if isinstance(document, dict) else None
        evidence = Evidence(answer.request_line, answer.describe(), "")
        if answer.status == 200 and isinstance(listed, list):
            names = [str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in listed]
            return names, evidence
        return None, evidence
    return list(target.datasets), None


async def types(target: CityTarget) -> Outcome:
    """Every published type has a Smart Data Models schema."""
    names, listing = await published_types(target)
    known = schemas.known_types()
    expected = f"only Smart Data Models types ({', '.join(sorted(known))})"
    if names is None:
        assert listing is not None
        return failed(
            "the platform did not list its types",
            Evidence(listing.request, listing.response, f"an EntityTypeList; {expected}"),
        )
    foreign = sorted(set(names) - known)
    if listing is not None:
        evidence = Evidence(listing.request, listing.response, expected)
    else:
        evidence = Evidence(
            f"federation file: cities.{target.id}.datasets", ", ".join(names), expected
        )
    if foreign:
        return failed(f"not Smart Data Models types: {', '.join(foreign)}", evidence)
    return passed(f"{len(names)} types, all Smart Data Models types", evidence)


def as_key_values(entity: SourceEntity) -> dict[str, Any]:
    """The entity as a Smart Data Models key-values document: location as a GeoJSON Point,
    the observation time as ``dateObserved`` where the model has it and the platform named
    it otherwise (SensorThings: the Observation's phenomenonTime)."""
    document: dict[str, Any] = {"id": entity.id, "type": entity.type, **entity.attributes}
    named = "dateObserved" in document or not schemas.has_property(entity.type, "dateObserved")
    if entity.observed_at is not None and not named:
        document["dateObserved"] = entity.observed_at.isoformat().replace("+00:00", "Z")
    if entity.location is not None:
        document["location"] = {
            "type": "Point",
            "coordinates": [entity.location.lon, entity.location.lat],
        }
    return document


async def samples(target: CityTarget) -> dict[str, SourceResult | str]:
    """Each dataset's sample through the adapter, or why it could not be read."""
    results = await asyncio.gather(
        *(target.sample(t) for t in target.datasets), return_exceptions=True
    )
    found: dict[str, SourceResult | str] = {}
    for entity_type, result in zip(target.datasets, results, strict=True):
        if isinstance(result, SourceResult):
            found[entity_type] = result
        elif isinstance(result, AdapterError | LookupError | TimeoutError):
            found[entity_type] = f"{type(result).__name__}: {result}"
        elif isinstance(result, BaseException):
            raise result
    return found


async def valid(target: CityTarget) -> Outcome:
    """A sample of every dataset validates against its model's JSON Schema."""
    evidence: list[Evidence] = []
    bad: list[str] = []
    checked = 0
    for entity_type, result in (await samples(target)).items():
        request = sample_request(target, entity_type)
        expected = f"every entity valid against {schemas.schema_url(entity_type) or entity_type}"
        if isinstance(result, str):
            bad.append(entity_type)
            evidence.append(Evidence(request, f"no answer: {result}", expected))
            continue
        found: list[str] = []
        for entity in result.entities:
            checked += 1
            found += [f"{entity.id}: {p}" for p in schemas.problems(as_key_values(entity))]
        if not result.entities:
            found.append("no entities to validate")
        if found:
            bad.append(entity_type)
            shown = "\n".join(found[:MAX_PROBLEMS])
            more = f"\n... {len(found) - MAX_PROBLEMS} more" if len(found) > MAX_PROBLEMS else ""
            evidence.append(Evidence(request, excerpt(shown + more), expected))
        else:
            evidence.append(
                Evidence(request, f"{len(result.entities)} entities, all valid", expected)
            )
    if bad:
        return failed(f"entities break their model in: {', '.join(bad)}", *evidence)
    return passed(f"{checked} entities of {len(evidence)} datasets valid", *evidence)
