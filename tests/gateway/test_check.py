"""``caap check``: the report on a federation file and on what each city answers."""

from __future__ import annotations

import asyncio
import io
import textwrap
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, cast

from adapters.contract import (
    AdapterContext,
    AdapterFactory,
    Capabilities,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.errors import ConfigError, UpstreamUnavailable
from adapters.registry import AdapterRegistry, Registered
from gateway.cli.check import run_check

Fetch = Callable[[str, SourceQuery], Awaitable[SourceResult]]


class Plugin:
    """A test-only adapter kind whose answers the test decides, per city."""

    def __init__(self, fetch: Fetch) -> None:
        self.fetch = fetch
        self.queries: list[tuple[str, SourceQuery]] = []
        self.closed: list[str] = []
        self.contexts: dict[str, AdapterContext] = {}

    def registry(self) -> AdapterRegistry:
        plugin = self

        class FakeAdapter:
            kind: ClassVar[str] = "fake"

            def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
                if config.get("url") == "http://unbuildable":
                    raise ConfigError("url", "refused at construction")
                self.city_id = context.city_id
                plugin.contexts[context.city_id] = context

            @classmethod
            def validate_config(cls, config: Mapping[str, Any]) -> object:
                if set(config) != {"url"}:
                    raise ConfigError("", "only url is accepted")
                return config["url"]

            @property
            def capabilities(self) -> Capabilities:
                return Capabilities()

            async def fetch_entities(self, query: SourceQuery) -> SourceResult:
                plugin.queries.append((self.city_id, query))
                return await plugin.fetch(self.city_id, query)

            async def aclose(self) -> None:
                plugin.closed.append(self.city_id)

        factory = cast(AdapterFactory, FakeAdapter)
        return AdapterRegistry([Registered(kind="fake", factory=factory, origin="tests")])


def entity(city_id: str, entity_type: str) -> SourceEntity:
    return SourceEntity(f"urn:{city_id}:1", entity_type, None, None, {})


async def answer_one(city_id: str, query: SourceQuery) -> SourceResult:
    return SourceResult([entity(city_id, query.entity_type)], total_count=12)


FEDERATION = """\
cities:
  malmo:
    name: Malmö
    kommunkod: "1280"
    adapter: {kind: fake, url: "http://127.0.0.1:9108"}
    datasets:
      WeatherObserved: {access: public}
      Beach: {access: public}
      WaterConsumptionObserved: {access: {scopes: [caap:utility:read]}}
  skelleftea:
    name: Skellefteå
    kommunkod: "2482"
    adapter: {kind: fake, url: "http://127.0.0.1:9118"}
    datasets:
      WeatherObserved: {access: public}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "federation.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


async def check(path: Path, plugin: Plugin, *, probe: bool = True) -> tuple[int, str]:
    out = io.StringIO()
    status = await run_check(path, plugin.registry(), probe=probe, out=out, env={})
    return status, out.getvalue()


async def test_a_bad_file_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        cities:
          malmo:
            name: Malmö
            kommunkod: 1280
            adapter: {kind: ngsi-ld, url: "http://x"}
            datasets: {}
        """,
    )
    plugin = Plugin(answer_one)
    status, report = await check(path, plugin)
    assert status == 1
    assert report.splitlines() == [
        f'{path}: cities.malmo.kommunkod: must be a 4-digit string such as "1280" '
        "(quote it: YAML reads an unquoted code as a number)",
        f"{path}: cities.malmo.adapter.kind: unknown adapter kind 'ngsi-ld' (known: fake)",
        f"{path}: cities.malmo.datasets: must map at least one entity type "
        "(such as WeatherObserved) to its access",
        "",
        f"{path}: 3 problems, nothing probed",
    ]
    assert plugin.queries == []


async def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    status, report = await check(tmp_path / "nope.yaml", Plugin(answer_one))
    assert status == 1
    assert f"{tmp_path / 'nope.yaml'}: file not found" in report.splitlines()


async def test_without_probe_a_good_file_prints_the_cities_table(tmp_path: Path) -> None:
    plugin = Plugin(answer_one)
    status, report = await check(write(tmp_path, FEDERATION), plugin, probe=False)
    assert status == 0
    lines = report.splitlines()
    assert lines[0].endswith("federation.yaml: valid, 2 cities")
    assert lines[1] == "auth: none (anonymous access to public data only)"
    table = lines[3:]
    assert table == [
        "CITY        NAME        KOMMUNKOD  ADAPTER  DATASETS",
        "malmo       Malmö       1280       fake     3",
        "skelleftea  Skellefteå  2482       fake     1",
    ]
    assert plugin.queries == []
    assert plugin.contexts == {}


async def test_the_probe_asks_each_public_dataset_for_one_entity(tmp_path: Path) -> None:
    plugin = Plugin(answer_one)
    status, report = await check(write(tmp_path, FEDERATION), plugin)
    assert status == 0
    assert sorted((city, q.entity_type, q.limit) for city, q in plugin.queries) == [
        ("malmo", "Beach", 1),
        ("malmo", "WeatherObserved", 1),
        ("skelleftea", "WeatherObserved", 1),
    ]
    probe = report.split("Probe:", 1)[1].splitlines()[1:]
    assert probe == [
        "CITY        DATASET          RESULT",
        "malmo       WeatherObserved  OK 1 entity (of 12)",
        "malmo       Beach            OK 1 entity (of 12)",
        "skelleftea  WeatherObserved  OK 1 entity (of 12)",
        "",
        "All 2 cities answered.",
    ]
    assert sorted(plugin.closed) == ["malmo", "skelleftea"]


async def test_the_adapters_get_their_city_and_timeout(tmp_path: Path) -> None:
    text = FEDERATION.replace(
        '    kommunkod: "2482"\n', '    kommunkod: "2482"\n    timeout_s: 1.5\n'
    )
    plugin = Plugin(answer_one)
    await check(write(tmp_path, "gateway: {max_connections_per_city: 3}\n" + text), plugin)
    malmo, skelleftea = plugin.contexts["malmo"], plugin.contexts["skelleftea"]
    assert (malmo.city_id, malmo.timeout_s, malmo.max_connections) == ("malmo", 5.0, 3)
    assert (skelleftea.city_id, skelleftea.timeout_s) == ("skelleftea", 1.5)


async def test_cities_are_probed_concurrently(tmp_path: Path) -> None:
    together = asyncio.Barrier(3)  # every public dataset of both cities, in flight at once

    async def wait_for_all(city_id: str, query: SourceQuery) -> SourceResult:
        async with asyncio.timeout(2):
            await together.wait()
        return SourceResult([])

    status, report = await check(write(tmp_path, FEDERATION), Plugin(wait_for_all))
    assert status == 0, report
    assert report.count("OK 0 entities") == 3


async def test_a_failing_city_is_reported_and_exits_1(tmp_path: Path) -> None:
    async def malmo_down(city_id: str, query: SourceQuery) -> SourceResult:
        if city_id == "malmo" and query.entity_type == "Beach":
            raise UpstreamUnavailable("connection refused by 127.0.0.1:9108")
        return await answer_one(city_id, query)

    plugin = Plugin(malmo_down)
    status, report = await check(write(tmp_path, FEDERATION), plugin)
    assert status == 1
    lines = report.splitlines()
    assert (
        "malmo       Beach            UpstreamUnavailable: connection refused by 127.0.0.1:9108"
        in lines
    )
    assert "skelleftea  WeatherObserved  OK 1 entity (of 12)" in lines
    assert lines[-1] == "1 of 2 cities failed: malmo"
    assert sorted(plugin.closed) == ["malmo", "skelleftea"]


async def test_a_city_that_hangs_times_out(tmp_path: Path) -> None:
    async def skelleftea_hangs(city_id: str, query: SourceQuery) -> SourceResult:
        if city_id == "skelleftea":
            await asyncio.sleep(30)
        return await answer_one(city_id, query)

    text = FEDERATION.replace(
        '    kommunkod: "2482"\n', '    kommunkod: "2482"\n    timeout_s: 0.05\n'
    )
    plugin = Plugin(skelleftea_hangs)
    async with asyncio.timeout(5):
        status, report = await check(write(tmp_path, text), plugin)
    assert status == 1
    assert "skelleftea  WeatherObserved  timeout: no answer within 0.05 s" in report
    assert report.splitlines()[-1] == "1 of 2 cities failed: skelleftea"
    assert sorted(plugin.closed) == ["malmo", "skelleftea"]


async def test_an_adapter_that_cannot_be_built_fails_its_city(tmp_path: Path) -> None:
    text = FEDERATION.replace("http://127.0.0.1:9118", "http://unbuildable")
    plugin = Plugin(answer_one)
    status, report = await check(write(tmp_path, text), plugin)
    assert status == 1
    assert (
        "skelleftea  -                adapter not built: ConfigError: url: refused at construction"
        in report.splitlines()
    )
    assert plugin.closed == ["malmo"]


async def test_a_city_without_public_datasets_is_not_a_failure(tmp_path: Path) -> None:
    text = FEDERATION.replace(
        '    adapter: {kind: fake, url: "http://127.0.0.1:9118"}\n'
        "    datasets:\n"
        "      WeatherObserved: {access: public}\n",
        '    adapter: {kind: fake, url: "http://127.0.0.1:9118"}\n'
        "    datasets:\n"
        "      WaterConsumptionObserved: {access: {scopes: [caap:utility:read]}}\n",
    )
    plugin = Plugin(answer_one)
    status, report = await check(write(tmp_path, text), plugin)
    assert status == 0, report
    assert "skelleftea  -                no public dataset to probe" in report.splitlines()
    assert [city for city, _ in plugin.queries] == ["malmo", "malmo"]
    assert sorted(plugin.closed) == ["malmo", "skelleftea"]


def alias_bomb(levels: int, width: int = 10) -> str:
    """Anchors that each repeat the one before ``width`` times: width**levels values."""
    lines = ["    l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, levels):
        repeated = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"    l{level}: &l{level} [{repeated}]")
    return "\n".join(lines)


async def test_m6_an_alias_bomb_under_adapter_is_refused_at_once(tmp_path: Path) -> None:
    """Finding M6: a YAML alias bomb under ``adapter`` hung ``caap check`` and reload."""
    bomb = alias_bomb(6)  # a million values once expanded, from a few hundred bytes
    text = FEDERATION.replace(
        '    adapter: {kind: fake, url: "http://127.0.0.1:9108"}',
        '    adapter:\n      kind: fake\n      url: "http://127.0.0.1:9108"\n      extra:\n'
        + textwrap.indent(bomb, "    "),
    )
    plugin = Plugin(answer_one)
    status, report = await check(write(tmp_path, text), plugin)
    assert status == 1
    assert "expands to more than 100000 values (aliases repeat anchors)" in report
    assert "line 13," in report  # l4, the anchor that crosses the bound
    assert plugin.queries == []


async def test_l8_deeply_nested_yaml_is_a_clear_error(tmp_path: Path) -> None:
    """Finding L8: deeply nested YAML crashed ``caap check`` with a RecursionError traceback."""
    path = tmp_path / "federation.yaml"
    path.write_text("cities: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    status, report = await check(path, Plugin(answer_one))
    assert status == 1
    assert report.splitlines()[0] == (
        f"{path}: YAML refused at line 1, column 72: mappings and lists nest more than 64 deep"
    )


async def test_also_a_link_local_platform_url_is_refused_and_never_probed(tmp_path: Path) -> None:
    """Also in issue 13: a platform URL of 169.254.169.254 (cloud metadata) passed the check."""
    for url in ("http://169.254.169.254/latest/meta-data", "http://[fe80::1]:8080"):
        text = FEDERATION.replace("http://127.0.0.1:9108", url)
        plugin = Plugin(answer_one)
        status, report = await check(write(tmp_path, text), plugin)
        assert status == 1
        assert "cities.malmo.adapter.url: is a link-local address" in report
        assert plugin.queries == []
    loopback = Plugin(answer_one)
    status, _ = await check(write(tmp_path, FEDERATION), loopback)  # 127.0.0.1 stays allowed
    assert status == 0
