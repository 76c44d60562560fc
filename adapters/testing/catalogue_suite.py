"""``CatalogueConformance``: the checks every catalogue adapter (``CatalogueAdapter``) must pass.

A city subclasses it in its own tests, as it would ``AdapterConformance``::

    class TestMyCatalogue(CatalogueConformance):
        adapter_class = MyCatalogueAdapter
        secrets = ("the-api-key",)

        def config_for(self, url: str) -> dict[str, Any]:
            return {"url": url, "headers": {"X-Api-Key": "the-api-key"}}

    @pytest.fixture(scope="module")
    def catalogue() -> Iterator[Catalogue]:             # in the module or a conftest.py
        with my_test_catalogue() as server:             # a running catalogue ...
            yield Catalogue(server.url, KNOWN_DATASETS)  # ... and what it lists

``config_for(url)`` is called for ``Catalogue.url`` and for the kit's own bad
servers, which answer every path: it must point the whole adapter at ``url``.
See docs/writing-an-adapter.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, ClassVar

import pytest

from adapters.contract import (
    Adapter,
    AdapterFactory,
    CatalogueAdapter,
    CatalogueDataset,
    CatalogueQuery,
    CatalogueResult,
    SourceQuery,
)
from adapters.errors import ConfigError, UnsupportedQuery
from adapters.testing.catalogue import Catalogue, dataset_differences
from adapters.testing.checks import (
    UNKNOWN_KEY,
    Ask,
    aclose_idempotent,
    check_config,
    check_kind,
    failing_platform,
    no_shared_state,
    outcome,
    redirect_not_followed,
)
from adapters.testing.harness import Harness, run_check
from adapters.testing.search_words import searches
from adapters.testing.upstream import MODES

Check = Callable[[Harness], Awaitable[None]]


class CatalogueConformance:
    """The catalogue checks; subclass as ``Test...``, set the members below, and provide a
    ``catalogue`` fixture (``adapters.testing.Catalogue``)."""

    adapter_class: ClassVar[Any]
    """The adapter class (an ``AdapterFactory``), e.g. loaded from the registry."""
    secrets: ClassVar[tuple[str, ...]] = ()
    """Secret values ``config_for`` puts in the config: they must never be logged or echoed."""
    timeout_s: ClassVar[float] = 0.5
    """The context timeout for the check with a catalogue that never answers."""

    def config_for(self, url: str) -> Mapping[str, Any]:
        """The catalogue section (without ``kind``) for a catalogue at ``url``."""
        raise NotImplementedError(f"{type(self).__name__} must define config_for(url)")

    # --- the contract's members and config -------------------------------------------------

    def test_kind_and_contract_members(self, catalogue: Catalogue) -> None:
        check_kind(self._factory())

        async def check(h: Harness) -> None:
            adapter = h.make(catalogue.url)
            assert isinstance(adapter, CatalogueAdapter), "the instance lacks fetch_datasets"
            assert isinstance(adapter, Adapter), "the instance lacks members of the contract"
            assert asyncio.iscoroutinefunction(adapter.fetch_datasets)
            assert asyncio.iscoroutinefunction(adapter.aclose)
            answer = await outcome(adapter.fetch_entities(SourceQuery("WeatherObserved")))
            if not isinstance(answer, UnsupportedQuery):
                assert not isinstance(answer, Exception), f"fetch_entities raised {answer!r}"
                assert list(answer.entities) == [], "a catalogue answered with entities"

        self._run(check)

    def test_config_is_checked_at_load_and_unknown_keys_are_refused(
        self, catalogue: Catalogue
    ) -> None:
        config = dict(self.config_for(catalogue.url))
        check_config(self._factory(), config, self.secrets)

        async def check(h: Harness) -> None:
            with pytest.raises(ConfigError):
                h.make(catalogue.url, options={**config, UNKNOWN_KEY: 1})

        self._run(check)

    # --- mapping -------------------------------------------------------------------------------

    def test_datasets_match_the_ground_truth(self, catalogue: Catalogue) -> None:
        truth = {d.id: d for d in catalogue.datasets}

        async def check(h: Harness) -> None:
            result = await _ask(h.make(catalogue.url), CatalogueQuery(limit=len(truth) + 50))
            ids = _ids(result)
            assert len(ids) == len(set(ids)), "a dataset id comes twice"
            assert set(ids) == set(truth), _set_diff("datasets", ids, set(truth))
            assert not result.truncated, "truncated, yet all were asked for"
            _check_total(result, len(truth), "all datasets")
            problems = [
                f"{d.id}: {p}" for d in result.datasets for p in dataset_differences(d, truth[d.id])
            ]
            assert not problems, "\n".join(problems[:20])

        self._run(check)

    # --- limit and search ----------------------------------------------------------------------

    def test_limit_is_honoured(self, catalogue: Catalogue) -> None:
        n = len(_nonempty(catalogue))
        truth = {d.id for d in catalogue.datasets}

        async def check(h: Harness) -> None:
            adapter = h.make(catalogue.url)
            for limit in sorted({0, 1, max(1, n // 2), max(1, n - 1), n, n + 3}):
                result = await _ask(adapter, CatalogueQuery(limit=limit))
                got = _ids(result)
                assert len(got) == min(limit, n), f"limit={limit} of {n}: got {len(got)}"
                assert set(got) <= truth, _set_diff(f"limit={limit}", got, truth)
                if limit > 0:
                    assert result.truncated == (limit < n), (
                        f"limit={limit} of {n}: truncated={result.truncated}"
                    )
                _check_total(result, n, f"limit={limit}")

        self._run(check)

    def test_search_means_every_word_in_title_description_or_keywords(
        self, catalogue: Catalogue
    ) -> None:
        asked = searches(_nonempty(catalogue))

        async def check(h: Harness) -> None:
            adapter = h.make(catalogue.url)
            for search in asked:
                query = CatalogueQuery(search=search, limit=len(catalogue.datasets) + 50)
                expected = {d.id for d in catalogue.expected(query)}
                result = await _ask(adapter, query)
                got = _ids(result)
                assert set(got) == expected, _set_diff(f"search {search!r}", got, expected)
                _check_total(result, len(expected), f"search {search!r}")
            common = asked[-1]
            matching = len(catalogue.expected(CatalogueQuery(search=common)))
            result = await _ask(adapter, CatalogueQuery(search=common, limit=1))
            assert len(result.datasets) == min(1, matching), f"search {common!r} limit=1"
            assert result.truncated == (matching > 1), f"search {common!r} limit=1"

        self._run(check)

    def test_concurrent_queries_agree(self, catalogue: Catalogue) -> None:
        async def check(h: Harness) -> None:
            adapter = h.make(catalogue.url)
            query = CatalogueQuery()
            results = await asyncio.gather(*(_ask(adapter, query) for _ in range(4)))
            assert all(sorted(_ids(r)) == sorted(_ids(results[0])) for r in results)

        self._run(check)

    # --- failures of the catalogue -------------------------------------------------------------

    @pytest.mark.parametrize("mode", [*MODES, "refused"])
    def test_a_failing_catalogue_gives_a_typed_error(self, catalogue: Catalogue, mode: str) -> None:
        async def check(h: Harness) -> None:
            ask = _asking(CatalogueQuery())
            await failing_platform(h, mode, ask, timeout_s=self.timeout_s, secrets=self.secrets)

        self._run(check)

    def test_a_redirect_to_another_host_is_not_followed(self, catalogue: Catalogue) -> None:
        async def check(h: Harness) -> None:
            await redirect_not_followed(h, _asking(CatalogueQuery()))

        self._run(check)

    # --- lifecycle -----------------------------------------------------------------------------

    def test_instances_share_no_state(self, catalogue: Catalogue) -> None:
        truth = sorted(d.id for d in _nonempty(catalogue))
        ask = _asking(CatalogueQuery(limit=len(truth) + 50))

        async def check(h: Harness) -> None:
            await no_shared_state(h, catalogue.url, ask, _ids, truth)

        self._run(check)

    def test_aclose_is_idempotent(self, catalogue: Catalogue) -> None:
        async def check(h: Harness) -> None:
            await aclose_idempotent(h, catalogue.url, _asking(CatalogueQuery(limit=1)))

        self._run(check)

    # --- helpers -------------------------------------------------------------------------------

    def _factory(self) -> AdapterFactory:
        factory = getattr(type(self), "adapter_class", None)
        if factory is None:
            raise NotImplementedError(f"{type(self).__name__} must set adapter_class")
        return factory  # type: ignore[no-any-return]

    def _run(self, check: Check) -> None:
        run_check(self._factory(), self.config_for, self.secrets, check)


async def _ask(adapter: Adapter, query: CatalogueQuery) -> CatalogueResult:
    assert isinstance(adapter, CatalogueAdapter), "the instance lacks fetch_datasets"
    result = await adapter.fetch_datasets(query)
    assert isinstance(result, CatalogueResult), f"fetch_datasets returned {type(result).__name__}"
    return result


def _asking(query: CatalogueQuery) -> Ask:
    return lambda adapter: _ask(adapter, query)


def _ids(result: CatalogueResult) -> list[str]:
    return [d.id if isinstance(d, CatalogueDataset) else repr(d) for d in result.datasets]


def _nonempty(catalogue: Catalogue) -> Sequence[CatalogueDataset]:
    if not catalogue.datasets:
        raise AssertionError("the catalogue's ground truth holds no dataset")
    return catalogue.datasets


def _check_total(result: CatalogueResult, n: int, where: str) -> None:
    if result.total_count is not None:
        assert result.total_count == n, f"{where}: total_count {result.total_count}, expected {n}"


def _set_diff(where: str, got: Sequence[str], want: set[str]) -> str:
    got_set = set(got)
    return (
        f"{where}: missing {sorted(want - got_set)[:10]}, unexpected {sorted(got_set - want)[:10]}"
    )
