"""errors.*: a bad request gets a Problem Details answer (RFC 9457)."""

from __future__ import annotations

from gateway.assessment.checks.api import no_standard_api
from gateway.assessment.evidence import Evidence, Outcome, failed, passed
from gateway.assessment.target import CityTarget, Exchange

PROBLEM_JSON = "application/problem+json"


def problem_details(answer: Exchange, json_allowed: bool) -> str | None:
    """Why ``answer`` is not a Problem Details error; None when it is one."""
    if not 400 <= answer.status < 500:
        return f"status {answer.status or answer.error}, not 4xx"
    media = answer.content_type.split(";")[0].strip().lower()
    allowed = {PROBLEM_JSON, "application/json"} if json_allowed else {PROBLEM_JSON}
    if media not in allowed:
        return f"content type {media or '(none)'}, not {' or '.join(sorted(allowed))}"
    document = answer.json()
    if not isinstance(document, dict):
        return "the body is not a JSON object"
    if not isinstance(document.get("type") or document.get("title"), str):
        return "no Problem Details member type or title"
    return None


async def problem_json(target: CityTarget) -> Outcome:
    """Ask with a parameter the standard forbids and look at the error."""
    root = target.api_root()
    if root is None:
        return no_standard_api(target, "ngsi-ld or sensorthings")
    if target.kind == "ngsi-ld":
        entity_type = target.datasets[0] if target.datasets else "WeatherObserved"
        answer = await target.get(
            f"{root}/entities?type={entity_type}&limit=-1", target.ngsi_headers()
        )
        expected = (
            "400 with a Problem Details body (type, title), as application/json "
            "(GS CIM 009 clause 5.5.2) or application/problem+json"
        )
    else:
        answer = await target.get(f"{root}/Things?$top=-1")
        expected = "400 with a Problem Details body (type, title) as application/problem+json"
    problem = problem_details(answer, json_allowed=target.kind == "ngsi-ld")
    evidence = Evidence(answer.request_line, answer.describe(), expected)
    if problem is not None:
        return failed(f"the error is not Problem Details: {problem}", evidence)
    return passed("errors are Problem Details", evidence)
