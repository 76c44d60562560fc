"""ops.*: availability, p95 latency and freshness, from what the gateway has seen."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.assessment.checks.models import samples
from gateway.assessment.evidence import Evidence, Outcome, failed, passed
from gateway.assessment.target import CityTarget, Operation, sample_request

SEEN = "probes: one-entity reads through the adapter, one after another"


def _with_record(seen: Operation, text: str) -> str:
    return text if seen.recorded is None else f"{text}\n{seen.recorded}"


async def availability(target: CityTarget) -> Outcome:
    """The share of requests the city answered."""
    seen = await target.operation(target)
    floor = target.profile.number("availability_min")
    expected = f"at least {floor:.0%} answered"
    if seen.requests == 0:
        return failed("no requests seen yet", Evidence(SEEN, "none", expected))
    share = seen.answered / seen.requests
    evidence = Evidence(
        SEEN, f"{seen.answered} of {seen.requests} answered ({share:.1%})", expected
    )
    if share < floor:
        return failed(f"available {share:.1%} of requests", evidence)
    return passed(f"available {share:.1%} of {seen.requests} requests", evidence)


async def latency(target: CityTarget) -> Outcome:
    """The p95 latency of the requests the city answered."""
    seen = await target.operation(target)
    ceiling = target.profile.number("p95_latency_max_ms")
    expected = f"p95 at most {ceiling:g} ms"
    if seen.p95_ms is None:
        return failed("no answered request seen yet", Evidence(SEEN, "none", expected))
    evidence = Evidence(
        SEEN,
        _with_record(seen, f"p95 {seen.p95_ms:.0f} ms over {seen.requests} requests"),
        expected,
    )
    if seen.p95_ms > ceiling:
        return failed(f"p95 {seen.p95_ms:.0f} ms", evidence)
    return passed(f"p95 {seen.p95_ms:.0f} ms", evidence)


async def freshness(target: CityTarget) -> Outcome:
    """The newest sampled observation of each dataset with observation times is recent."""
    limit_s = target.profile.number("freshness_max_s")
    now = datetime.now(UTC)
    evidence: list[Evidence] = []
    stale: list[str] = []
    timed = 0
    for entity_type, result in (await samples(target)).items():
        request = sample_request(target, entity_type)
        expected = f"the newest observation at most {limit_s:g} s old"
        if isinstance(result, str):
            stale.append(entity_type)
            evidence.append(Evidence(request, f"no answer: {result}", expected))
            continue
        times = [e.observed_at for e in result.entities if e.observed_at is not None]
        if not times:
            continue
        timed += 1
        newest = max(times)
        age = (now - newest).total_seconds()
        evidence.append(
            Evidence(request, f"newest {newest:%Y-%m-%dT%H:%M:%SZ}, {age:.0f} s old", expected)
        )
        if age > limit_s:
            stale.append(entity_type)
    if stale:
        return failed(f"stale or unreadable: {', '.join(stale)}", *evidence)
    if timed == 0:
        return failed("no dataset has observation times", *evidence)
    return passed(f"{timed} datasets fresh", *evidence)
