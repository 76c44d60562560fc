"""``AdapterConformance``: the checks every adapter must pass, written once.

A city subclasses it in its own tests::

    class TestMyCity(AdapterConformance):
        adapter_class = MyAdapter
        secrets = ("the-api-key",)

        def config_for(self, url: str) -> dict[str, Any]:
            return {"url": url, "api_key": "the-api-key"}

    @pytest.fixture(scope="module")
    def platform() -> Iterator[Platform]:                # in the module or a conftest.py
        with my_test_platform() as server:              # a running platform ...
            yield Platform(server.url, KNOWN_DATA)      # ... and what it holds

The ``platform`` fixture may have any scope and live in the test module, a
``conftest.py`` or the class. ``config_for(url)`` is called for the platform's
URL and for the kit's own bad servers (``adapters.testing.upstream``): it must
point the whole adapter at ``url``. See docs/writing-an-adapter.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, ClassVar

import orjson
import pytest

from adapters.contract import (
    Adapter,
    AdapterFactory,
    BBox,
    Capabilities,
    Comparison,
    Condition,
    GeoPoint,
    Near,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.errors import ConfigError, UnsupportedQuery
from adapters.geo import distance_m
from adapters.sdk.conditions import holds, kind_of
from adapters.streaming import Streaming
from adapters.testing.checks import (
    UNKNOWN_KEY,
    Ask,
    aclose_idempotent,
    check_config,
    check_kind,
    failing_platform,
    no_shared_state,
    redirect_not_followed,
)
from adapters.testing.harness import Harness, run_check
from adapters.testing.platform import Platform, differences
from adapters.testing.streams import check_stream
from adapters.testing.upstream import MODES

FILTERS = frozenset({"attrs", "near", "within", "time", "where"})
BOX_SLACK_DEG = 1e-5
TIME_SLACK = timedelta(seconds=1)

Check = Callable[[Harness], Awaitable[None]]


class AdapterConformance:
    """The conformance checks; subclass as ``Test...``, set the members below, and provide a
    ``platform`` fixture (``adapters.testing.Platform``)."""

    adapter_class: ClassVar[Any]
    """The adapter class (an ``AdapterFactory``), e.g. loaded from the registry."""
    secrets: ClassVar[tuple[str, ...]] = ()
    """Secret values ``config_for`` puts in the config: they must never be logged or echoed."""
    timeout_s: ClassVar[float] = 0.5
    """The context timeout for the check with a platform that never answers."""

    def config_for(self, url: str) -> Mapping[str, Any]:
        """The adapter section (without ``kind``) for a platform at ``url``."""
        raise NotImplementedError(f"{type(self).__name__} must define config_for(url)")

    # --- the contract's members and config -------------------------------------------------

    def test_kind_and_contract_members(self, platform: Platform) -> None:
        check_kind(self._factory())

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            assert isinstance(adapter, Adapter), "the instance lacks members of the contract"
            caps = adapter.capabilities
            assert isinstance(caps, Capabilities)
            assert caps.filters <= FILTERS, f"unknown filters {sorted(caps.filters - FILTERS)}"
            assert asyncio.iscoroutinefunction(adapter.fetch_entities)
            assert asyncio.iscoroutinefunction(adapter.aclose)

        self._run(check)

    def test_config_is_checked_at_load_and_unknown_keys_are_refused(
        self, platform: Platform
    ) -> None:
        config = dict(self.config_for(platform.url))
        check_config(self._factory(), config, self.secrets)

        async def check(h: Harness) -> None:
            with pytest.raises(ConfigError):
                h.make(platform.url, options={**config, UNKNOWN_KEY: 1})

        self._run(check)

    # --- mapping: ids, types, units, time zones --------------------------------------------

    def test_entities_match_the_ground_truth(self, platform: Platform) -> None:
        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            for entity_type in platform.types:
                truth = {e.id: e for e in platform.entities[entity_type]}
                query = SourceQuery(entity_type, limit=len(truth) + 50)
                result = await adapter.fetch_entities(query)
                assert isinstance(result, SourceResult)
                ids = _ids(result.entities)
                assert len(ids) == len(set(ids)), f"{entity_type}: an id comes twice"
                assert set(ids) == set(truth), _set_diff(entity_type, ids, truth)
                assert not result.truncated, f"{entity_type}: truncated, yet all were asked for"
                _check_total(result, len(truth), entity_type)
                problems = []
                for entity in result.entities:
                    assert isinstance(entity, SourceEntity)
                    orjson.dumps(dict(entity.attributes))  # JSON-serialisable, or this raises
                    problems += [
                        f"{entity.id}: {p}" for p in differences(entity, truth[entity.id], platform)
                    ]
                assert not problems, f"{entity_type}:\n" + "\n".join(problems[:20])

        self._run(check)

    def test_only_the_requested_attributes(self, platform: Platform) -> None:
        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            for entity_type in platform.types:
                truth = platform.entities[entity_type]
                names = sorted(set().union(*(e.attributes for e in truth)))[:2]
                asked = (*names, "noSuchAttribute")
                full = await _by_id(adapter, SourceQuery(entity_type, limit=len(truth) + 50))
                for attrs in (asked, ()):
                    query = SourceQuery(entity_type, attrs=attrs, limit=len(truth) + 50)
                    result = await adapter.fetch_entities(query)
                    assert set(_ids(result.entities)) == set(full), f"{entity_type} {attrs}"
                    for entity in result.entities:
                        whole = full[entity.id]
                        assert set(entity.attributes) <= set(attrs), (
                            f"{entity_type} {entity.id}: asked for {attrs}, "
                            f"got {sorted(entity.attributes)}"
                        )
                        for name, value in entity.attributes.items():
                            assert value == whole.attributes[name], f"{entity.id}.{name}"
                        assert entity.location == whole.location, (
                            f"{entity.id}: location lost when attributes are asked for"
                        )
                        if attrs:  # observedAt may ride on attributes (NGSI-LD)
                            assert entity.observed_at == whole.observed_at, (
                                f"{entity.id}: observed_at lost when attributes are asked for"
                            )

        self._run(check)

    # --- paging ------------------------------------------------------------------------------

    def test_limit_is_honoured(self, platform: Platform) -> None:
        entity_type = _largest(platform)
        n = len(platform.entities[entity_type])
        truth = {e.id for e in platform.entities[entity_type]}

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            for limit in sorted({0, 1, max(1, n // 2), max(1, n - 1), n, n + 3}):
                result = await adapter.fetch_entities(SourceQuery(entity_type, limit=limit))
                got = _ids(result.entities)
                assert len(got) == min(limit, n), f"limit={limit} of {n}: got {len(got)}"
                assert set(got) <= truth
                if limit > 0:
                    assert result.truncated == (limit < n), (
                        f"limit={limit} of {n}: truncated={result.truncated}"
                    )
                _check_total(result, n, f"{entity_type} limit={limit}")

        self._run(check)

    def test_offset_skips_in_a_stable_order(self, platform: Platform) -> None:
        entity_type = _largest(platform)
        n = len(platform.entities[entity_type])
        k = max(1, n // 3)

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            head = await adapter.fetch_entities(SourceQuery(entity_type, limit=k))
            rest = await adapter.fetch_entities(SourceQuery(entity_type, limit=n, offset=k))
            got = _ids(head.entities) + _ids(rest.entities)
            assert len(_ids(rest.entities)) == n - k, f"offset={k} of {n}"
            assert sorted(got) == sorted(e.id for e in platform.entities[entity_type]), (
                "the first page and the page after it do not add up to every entity"
            )

        self._run(check)

    # --- filters -----------------------------------------------------------------------------

    def test_near(self, platform: Platform) -> None:
        entity_type, located = _located(platform)
        centre = located[0].location
        assert centre is not None
        distances = sorted(distance_m(centre, e.location) for e in located if e.location)
        radius = distances[len(distances) // 2] + 0.5

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            near = Near(centre, radius)
            got = await self._filtered(adapter, platform, SourceQuery(entity_type, near=near))
            if "near" in adapter.capabilities.filters:
                truth = {e.id: e for e in platform.entities[entity_type]}
                for entity_id in got:
                    where = truth[entity_id].location
                    assert where is not None
                    assert distance_m(centre, where) <= radius * 1.01 + 5, (
                        f"{entity_id} lies outside the pushed-down circle"
                    )
            far = SourceQuery(entity_type, near=Near(GeoPoint(0.0, -30.0), 1000.0))
            await self._filtered(adapter, platform, far)

        self._run(check)

    def test_within_includes_the_edges(self, platform: Platform) -> None:
        entity_type, located = _located(platform)
        corners = [e.location for e in located[:5] if e.location is not None]
        box = BBox(
            min_lat=min(p.lat for p in corners),
            min_lon=min(p.lon for p in corners),
            max_lat=max(p.lat for p in corners),
            max_lon=max(p.lon for p in corners),
        )

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            query = SourceQuery(entity_type, within=box)
            expected = {e.id for e in platform.expected(query)}
            assert {e.id for e in located[:5]} <= expected
            got = await self._filtered(adapter, platform, query)
            if "within" in adapter.capabilities.filters:
                truth = {e.id: e for e in platform.entities[entity_type]}
                for entity_id in got - expected:
                    p = truth[entity_id].location
                    assert p is not None
                    assert _near_box(p, box), f"{entity_id} lies outside {box}"

        self._run(check)

    def test_time_window(self, platform: Platform) -> None:
        entity_type, moments = _timed(platform)
        after, before = moments[1], moments[-2]

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            for query in (
                SourceQuery(entity_type, observed_after=after, observed_before=before),
                SourceQuery(entity_type, observed_after=after),
                SourceQuery(entity_type, observed_before=before),
            ):
                got = await self._filtered(adapter, platform, query)
                if "time" in adapter.capabilities.filters:
                    truth = {e.id: e for e in platform.entities[entity_type]}
                    low = (query.observed_after or moments[0]) - TIME_SLACK
                    high = (query.observed_before or moments[-1] + TIME_SLACK) + TIME_SLACK
                    for entity_id in got:
                        at = truth[entity_id].observed_at
                        assert at is not None
                        assert low <= at < high, (
                            f"{entity_id} observed at {at} lies outside the pushed-down window"
                        )

        self._run(check)

    def test_where(self, platform: Platform) -> None:
        """Conditions on a number: never fewer than the truth keeps; an adapter that claims
        ``where`` keeps only entities whose answered value satisfies them (ADR 0018)."""
        entity_type, name, middle = _numbered(platform)
        conditions = (
            Condition(name, Comparison.GT, middle),
            Condition(name, Comparison.LT, middle),
            Condition(name, Comparison.EXISTS, True),
        )

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            for condition in conditions:
                query = SourceQuery(entity_type, where=(condition,))
                await self._filtered(adapter, platform, query)
                if "where" in adapter.capabilities.filters:
                    result = await adapter.fetch_entities(replace(query, limit=10_000))
                    for entity in result.entities:
                        assert holds(condition, entity.attributes), (
                            f"{entity.id}: {name}={entity.attributes.get(name)!r} does not "
                            f"satisfy {condition}"
                        )

        self._run(check)

    def test_filters_combined(self, platform: Platform) -> None:
        entity_type, located = _located(platform)
        moments = sorted({e.observed_at for e in located if e.observed_at is not None})
        centre = located[0].location
        assert centre is not None
        name = sorted(set().union(*(e.attributes for e in located)))[0]
        after = moments[len(moments) // 3] if moments else None
        query = SourceQuery(
            entity_type, attrs=(name,), near=Near(centre, 1e7), observed_after=after
        )

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            got = await self._filtered(adapter, platform, query)
            if after is not None and "time" in adapter.capabilities.filters:
                truth = {e.id: e for e in platform.entities[entity_type]}
                for entity_id in got:
                    at = truth[entity_id].observed_at
                    assert at is not None
                    assert at >= after - TIME_SLACK, f"{entity_id}: the time filter was dropped"
            result = await adapter.fetch_entities(SourceQuery(**{**_fields(query), "limit": 1000}))
            for entity in result.entities:
                assert set(entity.attributes) <= {name}, sorted(entity.attributes)

        self._run(check)

    def test_an_unknown_type_is_empty_or_unsupported(self, platform: Platform) -> None:
        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            try:
                result = await adapter.fetch_entities(SourceQuery("NoSuchTypeForConformance"))
            except UnsupportedQuery:
                return
            assert list(result.entities) == []

        self._run(check)

    def test_concurrent_queries_agree(self, platform: Platform) -> None:
        entity_type = _largest(platform)

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            query = SourceQuery(entity_type, limit=1000)
            results = await asyncio.gather(*(adapter.fetch_entities(query) for _ in range(4)))
            first = _ids(results[0].entities)
            assert all(_ids(r.entities) == first for r in results)

        self._run(check)

    # --- failures of the platform --------------------------------------------------------------

    @pytest.mark.parametrize("mode", [*MODES, "refused"])
    def test_a_failing_platform_gives_a_typed_error(self, platform: Platform, mode: str) -> None:
        query = SourceQuery(platform.types[0])

        async def check(h: Harness) -> None:
            await failing_platform(
                h, mode, _asking(query), timeout_s=self.timeout_s, secrets=self.secrets
            )

        self._run(check)

    def test_a_redirect_to_another_host_is_not_followed(self, platform: Platform) -> None:
        query = SourceQuery(platform.types[0])

        async def check(h: Harness) -> None:
            await redirect_not_followed(h, _asking(query))

        self._run(check)

    # --- lifecycle -----------------------------------------------------------------------------

    def test_instances_share_no_state(self, platform: Platform) -> None:
        entity_type = _largest(platform)
        truth = sorted(e.id for e in platform.entities[entity_type])
        query = SourceQuery(entity_type, limit=len(truth) + 50)

        async def check(h: Harness) -> None:
            await no_shared_state(h, platform.url, _asking(query), _result_ids, truth)

        self._run(check)

    def test_a_push_arrives_as_fetch_then_shows_it(self, platform: Platform) -> None:
        """Streaming adapters only (``adapters.streaming``), with a platform that can push."""

        async def check(h: Harness) -> None:
            adapter = h.make(platform.url)
            if not isinstance(adapter, Streaming):
                return
            if platform.push is None:
                pytest.skip("the platform fixture cannot push (Platform.push is None)")
            await check_stream(adapter, platform, platform.types[0])

        self._run(check)

    def test_aclose_is_idempotent(self, platform: Platform) -> None:
        query = SourceQuery(platform.types[0], limit=1)

        async def check(h: Harness) -> None:
            await aclose_idempotent(h, platform.url, _asking(query))

        self._run(check)

    # --- helpers -------------------------------------------------------------------------------

    def _factory(self) -> AdapterFactory:
        factory = getattr(type(self), "adapter_class", None)
        if factory is None:
            raise NotImplementedError(f"{type(self).__name__} must set adapter_class")
        return factory  # type: ignore[no-any-return]

    def _run(self, check: Check) -> None:
        run_check(self._factory(), self.config_for, self.secrets, check)

    async def _filtered(self, adapter: Adapter, platform: Platform, query: SourceQuery) -> set[str]:
        """The ids answered to ``query`` (every one asked for): never fewer than the truth's."""
        wide = SourceQuery(**{**_fields(query), "limit": 10_000})
        result = await adapter.fetch_entities(wide)
        got = set(_ids(result.entities))
        expected = {e.id for e in platform.expected(query)}
        assert got >= expected, (
            f"{_describe(query)} lost matching entities: {sorted(expected - got)[:10]}"
        )
        return got


def _fields(query: SourceQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in SourceQuery.__dataclass_fields__}


def _describe(query: SourceQuery) -> str:
    parts = [f"{k}={v}" for k, v in _fields(query).items() if v is not None and k != "limit"]
    return "SourceQuery(" + ", ".join(parts) + ")"


def _ids(entities: Sequence[SourceEntity]) -> list[str]:
    return [e.id for e in entities]


async def _by_id(adapter: Adapter, query: SourceQuery) -> dict[str, SourceEntity]:
    return {e.id: e for e in (await adapter.fetch_entities(query)).entities}


def _numbered(platform: Platform) -> tuple[str, str, float]:
    """A type, a numeric attribute with at least two values, and a number between two."""
    for entity_type in sorted(platform.types):
        entities = platform.entities[entity_type]
        for name in sorted(set().union(*(e.attributes for e in entities))):
            values: list[float] = sorted(
                {
                    float(v)
                    for e in entities
                    if kind_of(v := e.attributes.get(name)) == "number"
                    and isinstance(v, int | float)
                }
            )
            if len(values) >= 2:
                i = (len(values) - 1) // 2
                return entity_type, name, (values[i] + values[i + 1]) / 2
    pytest.skip("the platform holds no numeric attribute with two values")


def _largest(platform: Platform) -> str:
    if not platform.types:
        raise AssertionError("the platform's ground truth holds no entity")
    return max(platform.types, key=lambda t: len(platform.entities[t]))


def _located(platform: Platform) -> tuple[str, list[SourceEntity]]:
    for entity_type in sorted(platform.types, key=lambda t: -len(platform.entities[t])):
        located = [e for e in platform.entities[entity_type] if e.location is not None]
        if len(located) >= 5:
            return entity_type, located
    pytest.skip("the ground truth has no type with 5 located entities")


def _timed(platform: Platform) -> tuple[str, list[Any]]:
    for entity_type in platform.types:
        moments = sorted(
            {e.observed_at for e in platform.entities[entity_type] if e.observed_at is not None}
        )
        if len(moments) >= 4:
            return entity_type, moments
    pytest.skip("the ground truth has no type with 4 distinct observation times")


def _near_box(p: GeoPoint, box: BBox) -> bool:
    s = BOX_SLACK_DEG
    return (
        box.min_lat - s <= p.lat <= box.max_lat + s and box.min_lon - s <= p.lon <= box.max_lon + s
    )


def _check_total(result: SourceResult, n: int, where: str) -> None:
    if result.total_count is not None:
        assert result.total_count == n, f"{where}: total_count {result.total_count}, expected {n}"


def _set_diff(where: str, got: Sequence[str] | set[str], want: Mapping[str, Any] | set[str]) -> str:
    got_set, want_set = set(got), set(want)
    return (
        f"{where}: missing {sorted(want_set - got_set)[:10]}, "
        f"unexpected {sorted(got_set - want_set)[:10]}"
    )


def _asking(query: SourceQuery) -> Ask:
    return lambda adapter: adapter.fetch_entities(query)


def _result_ids(result: SourceResult) -> list[str]:
    return _ids(result.entities)
