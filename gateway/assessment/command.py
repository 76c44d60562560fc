"""``caap assess``: measure the minimum framework for the federation's cities and print
the report; the exit status is 1 when a city fails a must-check, 2 when nothing could be
measured (a wrong federation file, profile or city id)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

import orjson

from adapters.registry import AdapterRegistry
from gateway.assessment.profile import DEFAULT_PROFILE, Profile, ProfileError, load_profile
from gateway.assessment.render_html import render_html
from gateway.assessment.render_text import render_text
from gateway.assessment.report import Report
from gateway.assessment.runner import UnknownCity, assess
from gateway.assessment.target import CityTarget, Operation, probe_operation
from gateway.federation import FederationError, load_federation
from gateway.ops.status.city_health import CityHealth
from gateway.process.runtime import Runtime

FORMATS = ("text", "json", "html")


def render(report: Report, fmt: str) -> str:
    """The report in ``fmt`` (text, json or html)."""
    if fmt == "json":
        return orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt == "html":
        return render_html(report)
    return render_text(report)


def seen_by(health: CityHealth) -> Callable[[CityTarget], Awaitable[Operation]]:
    """The probes, with what ``health`` (a running gateway's records) has seen of the city
    beside them. The records also hold the assessment's own requests, timed while the
    validation competes for the CPU; the probes run after it, so they decide."""

    async def operation(target: CityTarget) -> Operation:
        probed = await probe_operation(target)
        answered, requests = health.answered(target.id)
        p95 = health.view(target.id).p95_ms
        shown = f"{p95:.0f} ms" if p95 is not None else "none"
        recorded = f"the gateway's records: {answered} of {requests} answered, p95 {shown}"
        return Operation(probed.requests, probed.answered, probed.p95_ms, recorded)

    return operation


async def run_assess(
    config: str | Path,
    registry: AdapterRegistry,
    *,
    cities: Sequence[str] = (),
    fmt: str = "text",
    profile_path: str | Path = DEFAULT_PROFILE,
    out: TextIO,
    err: TextIO,
    env: Mapping[str, str] | None = None,
    profile: Profile | None = None,
) -> int:
    """Load, measure, print; the exit status."""
    try:
        chosen = profile or load_profile(profile_path)
        federation = load_federation(config, registry, env)
    except ProfileError as exc:
        print(f"caap assess: {exc}", file=err)
        return 2
    except FederationError as exc:
        for problem in exc.problems:
            print(f"caap assess: {problem}", file=err)
        return 2
    runtime = Runtime.build(federation, registry)
    try:
        report = await assess(
            federation,
            runtime.adapters,
            runtime.catalogues,
            chosen,
            probe_operation,
            cities=cities,
        )
    except UnknownCity as exc:
        print(f"caap assess: {exc}", file=err)
        return 2
    finally:
        await runtime.aclose()
    out.write(render(report, fmt))
    return report.exit_status()


def main_assess(
    config: str, registry: AdapterRegistry, cities: Sequence[str], fmt: str, profile: str | None
) -> int:
    """What ``caap assess`` runs."""
    import sys

    return asyncio.run(
        run_assess(
            config,
            registry,
            cities=cities,
            fmt=fmt,
            profile_path=profile or DEFAULT_PROFILE,
            out=sys.stdout,
            err=sys.stderr,
        )
    )
