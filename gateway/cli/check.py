"""``caap check``: validate a federation file, then ask each city for a little data.

The report is plain text for a terminal: every problem of the file, or a table
of the cities and, when probing, what each city answered for each public
dataset. The exit status is 1 when the file is wrong or any city fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from adapters.contract import Adapter, AdapterContext, SourceQuery
from adapters.registry import AdapterRegistry
from gateway.federation import CityConfig, Federation, FederationError, load_federation
from gateway.federation.json_schema import SCHEMA_PATH, file_schema_problems


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one city answered for one dataset (``dataset`` is "-" when no adapter was built)."""

    city_id: str
    dataset: str
    ok: bool
    detail: str


async def run_check(
    path: str | Path,
    registry: AdapterRegistry,
    *,
    probe: bool = True,
    out: TextIO,
    env: Mapping[str, str] | None = None,
) -> int:
    """Check the federation file at ``path`` and print a report to ``out``; the exit status.

    ``env`` resolves ``${VAR}`` references (default: ``os.environ``).
    """
    try:
        federation = load_federation(path, registry, env)
    except FederationError as exc:
        for problem in exc.problems:
            print(problem, file=out)
        count = len(exc.problems)
        print(f"\n{path}: {count} problem{'s' if count != 1 else ''}, nothing probed", file=out)
        return 1
    _print_cities(federation, out)
    disagreements = file_schema_problems(path)
    if disagreements:
        print(f"\nThe loader accepts the file but {SCHEMA_PATH.name} does not:", file=out)
        for disagreement in disagreements:
            print(f"  {disagreement}", file=out)
        return 1
    if not probe:
        return 0
    results = await probe_cities(federation, registry)
    _print_probe(federation, results, out)
    return 0 if all(result.ok for result in results) else 1


async def probe_cities(federation: Federation, registry: AdapterRegistry) -> list[ProbeResult]:
    """Ask every city, concurrently, for one entity of each of its public datasets."""
    per_city = await asyncio.gather(
        *(_probe_city(federation, city, registry) for city in federation.cities.values())
    )
    return [result for results in per_city for result in results]


async def _probe_city(
    federation: Federation, city: CityConfig, registry: AdapterRegistry
) -> list[ProbeResult]:
    timeout_s = federation.timeout_for(city.id)
    context = AdapterContext(
        city_id=city.id,
        logger=logging.getLogger(f"caap.check.{city.id}"),
        timeout_s=timeout_s,
        max_connections=federation.connections_for(city.id),
    )
    try:
        adapter = registry.get(city.adapter.kind)(city.adapter.options, context)
    except Exception as exc:  # a third-party adapter may fail in any way
        return [ProbeResult(city.id, "-", False, f"adapter not built: {_describe(exc)}")]
    try:
        public = [name for name, dataset in city.datasets.items() if dataset.access.public]
        results = await asyncio.gather(
            *(_probe_dataset(adapter, city.id, name, timeout_s) for name in public)
        )
        results += await _probe_push_downs(adapter, city.id, timeout_s)
    finally:
        closed = await _close(adapter, city.id, timeout_s)
    if not public:
        return [ProbeResult(city.id, "-", True, "no public dataset to probe"), *closed]
    return [*results, *closed]


async def _probe_dataset(
    adapter: Adapter, city_id: str, dataset: str, timeout_s: float
) -> ProbeResult:
    try:
        async with asyncio.timeout(timeout_s):
            answer = await adapter.fetch_entities(SourceQuery(entity_type=dataset, limit=1))
    except TimeoutError:
        return ProbeResult(city_id, dataset, False, f"timeout: no answer within {timeout_s:g} s")
    except Exception as exc:  # a third-party adapter may fail in any way
        return ProbeResult(city_id, dataset, False, _describe(exc))
    count = len(answer.entities)
    detail = f"OK {count} entit{'y' if count == 1 else 'ies'}"
    if answer.total_count is not None:
        detail += f" (of {answer.total_count})"
    return ProbeResult(city_id, dataset, True, detail)


async def _probe_push_downs(adapter: Adapter, city_id: str, timeout_s: float) -> list[ProbeResult]:
    """Which optional push-downs the platform accepts, for adapters that can say
    (``probe_push_downs``, e.g. SensorThings); a rejected one is no failure."""
    probe = getattr(adapter, "probe_push_downs", None)
    if probe is None:
        return []
    try:
        async with asyncio.timeout(timeout_s):
            accepted: Mapping[str, bool] = await probe()
    except TimeoutError:
        return [ProbeResult(city_id, "(push-downs)", False, f"no answer within {timeout_s:g} s")]
    except Exception as exc:  # a third-party adapter may fail in any way
        return [ProbeResult(city_id, "(push-downs)", False, _describe(exc))]
    taken = [name for name, ok in accepted.items() if ok]
    refused = [name for name, ok in accepted.items() if not ok]
    detail = f"accepted: {', '.join(taken) or 'none'}"
    if refused:
        detail += f"; rejected (filtered locally): {', '.join(refused)}"
    return [ProbeResult(city_id, "(push-downs)", True, detail)]


async def _close(adapter: Adapter, city_id: str, timeout_s: float) -> list[ProbeResult]:
    """Close ``adapter``; a failure to close is reported as a result of its own."""
    try:
        async with asyncio.timeout(timeout_s):
            await adapter.aclose()
    except TimeoutError:
        return [ProbeResult(city_id, "(close)", False, f"aclose took more than {timeout_s:g} s")]
    except Exception as exc:  # a third-party adapter may fail in any way
        return [ProbeResult(city_id, "(close)", False, _describe(exc))]
    return []


def _describe(exc: BaseException) -> str:
    """``Class: message`` on one line."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _print_cities(federation: Federation, out: TextIO) -> None:
    count = len(federation.cities)
    auth = federation.auth
    print(f"{federation.source}: valid, {count} cit{'y' if count == 1 else 'ies'}", file=out)
    if auth is None:
        print("auth: none (anonymous access to public data only)", file=out)
    else:
        print(f"auth: issuer {auth.issuer}, audience {auth.audience}", file=out)
    rows = [
        (city.id, city.name, city.kommunkod, city.adapter.kind, str(len(city.datasets)))
        for city in federation.cities.values()
    ]
    print(file=out)
    _print_table(("CITY", "NAME", "KOMMUNKOD", "ADAPTER", "DATASETS"), rows, out)


def _print_probe(federation: Federation, results: Sequence[ProbeResult], out: TextIO) -> None:
    print("\nProbe: one entity of each public dataset, all cities at once", file=out)
    rows = [(r.city_id, r.dataset, r.detail) for r in results]
    _print_table(("CITY", "DATASET", "RESULT"), rows, out)
    failed = list(dict.fromkeys(r.city_id for r in results if not r.ok))
    total = len(federation.cities)
    if failed:
        print(f"\n{len(failed)} of {total} cities failed: {', '.join(failed)}", file=out)
    else:
        print(f"\nAll {total} cities answered.", file=out)


def _print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)
