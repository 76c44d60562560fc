"""Catalogue adapters with one bug each, under the catalogue kit (run by
test_kit_catches_broken_catalogues).

Not collected by a plain ``pytest`` run (the name does not start with ``test_``):
these classes are meant to fail. Each is the DCAT-AP-SE adapter with one thing
done wrong, as a city writing its own catalogue adapter might.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import aiohttp
import pytest

from adapters.catalogue import DcatAdapter
from adapters.catalogue.config import CatalogueConfig
from adapters.contract import AdapterContext, CatalogueQuery, CatalogueResult
from adapters.errors import UpstreamError, UpstreamUnavailable
from adapters.testing import Catalogue, CatalogueConformance
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = truth.demo_catalogue_city("dcat-ap-se")
KEY = "broken-catalogue-key"


@pytest.fixture(scope="module")
def catalogue() -> Iterator[Catalogue]:
    with SimThread(SimSettings(seed=4, entities_per_type=1, cities=(CITY,))) as sim:
        yield Catalogue(sim.urls[CITY] + "/dcat/catalog.ttl", truth.dcat(sim, CITY))


class IgnoresSearch(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        return await super().fetch_datasets(replace(query, search=None))


class AnyWord(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        words: list[str | None] = [*(query.search or "").split()] or [None]
        found: dict[str, Any] = {}
        for word in words:
            result = await super().fetch_datasets(replace(query, search=word))
            found.update((d.id, d) for d in result.datasets)
        return CatalogueResult(list(found.values())[: query.limit])


class IgnoresLimit(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        return await super().fetch_datasets(replace(query, limit=10_000))


class DropsDistributions(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        result = await super().fetch_datasets(query)
        return replace(result, datasets=[replace(d, distributions=()) for d in result.datasets])


class AcceptsUnknownKeys(DcatAdapter):
    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> CatalogueConfig:
        return super().validate_config({k: v for k, v in config.items() if k in ("url", "headers")})

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__({k: v for k, v in config.items() if k in ("url", "headers")}, context)


class SwallowsErrors(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        try:
            return await super().fetch_datasets(query)
        except UpstreamError:
            return CatalogueResult([])


class UntypedErrors(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        try:
            return await super().fetch_datasets(query)
        except UpstreamError as exc:
            raise RuntimeError(f"the catalogue failed: {exc}") from exc


class LosesRetryAfter(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        try:
            return await super().fetch_datasets(query)
        except UpstreamUnavailable as exc:
            raise UpstreamError(str(exc), status=exc.status) from exc


class SharedCache(DcatAdapter):
    cache: ClassVar[dict[str, CatalogueResult]] = {}

    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        if "all" not in self.cache:
            self.cache["all"] = await super().fetch_datasets(CatalogueQuery())
        kept = [d for d in self.cache["all"].datasets if query.matches(d)]
        return CatalogueResult(kept[: query.limit], truncated=len(kept) > query.limit)


class ClosesOnce(DcatAdapter):
    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(config, context)
        self.open = True

    async def aclose(self) -> None:
        if not self.open:
            raise RuntimeError("already closed")
        self.open = False
        await super().aclose()


class LogsItsHeaders(DcatAdapter):
    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(config, context)
        context.logger.info("asking the catalogue with headers %s", dict(self.config.headers))


class FollowsRedirects(DcatAdapter):
    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        async with (
            aiohttp.ClientSession() as session,
            session.get(str(self.config.url)) as response,  # follows redirects
        ):
            if response.status != 200:
                raise UpstreamError(f"HTTP {response.status}", status=response.status)
        return await super().fetch_datasets(query)


class Base(CatalogueConformance):
    secrets = (KEY,)
    timeout_s = 0.2

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "headers": {"X-Api-Key": KEY}}


SEARCH = "test_search_means_every_word_in_title_description_or_keywords"
ERRORS = "test_a_failing_catalogue_gives_a_typed_error"
BROKEN: dict[str, tuple[type[DcatAdapter], str, str]] = {
    "IgnoresSearch": (IgnoresSearch, SEARCH, "unexpected"),
    "AnyWord": (AnyWord, SEARCH, "unexpected"),
    "IgnoresLimit": (IgnoresLimit, "test_limit_is_honoured", "limit="),
    "DropsDistributions": (DropsDistributions, "test_datasets_match_the_ground_truth", "distrib"),
    "AcceptsUnknownKeys": (
        AcceptsUnknownKeys,
        "test_config_is_checked_at_load_and_unknown_keys_are_refused",
        "DID NOT RAISE",
    ),
    "SwallowsErrors": (SwallowsErrors, ERRORS, "no error"),
    "UntypedErrors": (UntypedErrors, ERRORS, "RuntimeError"),
    "LosesRetryAfter": (LosesRetryAfter, ERRORS, "status:429"),
    "SharedCache": (SharedCache, "test_instances_share_no_state", "no error but"),
    "ClosesOnce": (ClosesOnce, "test_aclose_is_idempotent", "already closed"),
    "LogsItsHeaders": (LogsItsHeaders, "test_kind_and_contract_members", "logged a secret"),
    "FollowsRedirects": (
        FollowsRedirects,
        "test_a_redirect_to_another_host_is_not_followed",
        "followed a redirect",
    ),
}
"""Broken class name -> (adapter, the check that must fail, words its failure must say)."""


class TestGood(Base):
    adapter_class = DcatAdapter


for _name, (_adapter, _check, _words) in BROKEN.items():
    globals()[f"Test{_name}"] = type(f"Test{_name}", (Base,), {"adapter_class": _adapter})
