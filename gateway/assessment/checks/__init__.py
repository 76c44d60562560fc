"""The checks, one module per family; ``CHECKS`` maps a profile check id to its function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from gateway.assessment.checks import api, catalogue, errors, models, ops, places, policy
from gateway.assessment.evidence import Outcome
from gateway.assessment.target import CityTarget

Check = Callable[[CityTarget], Awaitable[Outcome]]

CHECKS: Mapping[str, Check] = {
    "api.standard": api.standard,
    "api.read-parameters": api.read_parameters,
    "api.history": api.history,
    "api.push": api.push,
    "models.types": models.types,
    "models.valid": models.valid,
    "places.geojson": places.geojson,
    "places.inside": places.inside,
    "ids.persistent": places.persistent_ids,
    "errors.problem-json": errors.problem_json,
    "catalogue.dcat": catalogue.dcat,
    "catalogue.shacl": catalogue.shacl_valid,
    "catalogue.properties": catalogue.properties,
    "catalogue.complete": catalogue.complete,
    "policy.personal-not-public": policy.personal_not_public,
    "ops.availability": ops.availability,
    "ops.latency": ops.latency,
    "ops.freshness": ops.freshness,
}
"""Every check the gateway knows how to measure, by the profile's id."""
