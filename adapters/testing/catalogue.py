"""``Catalogue``: a running open-data catalogue and the ground truth of the datasets it lists.

The truth is written as ``CatalogueDataset`` values: what the catalogue holds, in
the contract's terms (ids, titles, keywords, publisher, ``modified`` as the
catalogue gives it, distributions). The catalogue suite compares what an adapter
makes of the catalogue's answers with it, and derives the answer to a search from
it through ``CatalogueQuery.matches``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.contract import CatalogueDataset, CatalogueDistribution, CatalogueQuery


@dataclass(frozen=True)
class Catalogue:
    """Where the catalogue is (the URL ``config_for`` is given) and every dataset it lists."""

    url: str
    datasets: Sequence[CatalogueDataset]

    def expected(self, query: CatalogueQuery) -> list[CatalogueDataset]:
        """The datasets of the truth that ``query``'s search keeps (limit aside)."""
        return [d for d in self.datasets if query.matches(d)]


def dataset_differences(got: object, want: CatalogueDataset) -> list[str]:
    """What differs between an adapter's dataset and the truth, in words (empty: nothing).

    Keywords and distributions are compared whatever their order.
    """
    if not isinstance(got, CatalogueDataset):
        return [f"a {type(got).__name__}, not a CatalogueDataset"]
    problems = [
        f"{name} = {getattr(got, name)!r}, expected {getattr(want, name)!r}"
        for name in ("title", "description", "publisher", "modified")
        if getattr(got, name) != getattr(want, name)
    ]
    if not isinstance(got.keywords, tuple) or not all(isinstance(k, str) for k in got.keywords):
        problems.append(f"keywords {got.keywords!r} is not a tuple of strings")
    elif sorted(got.keywords) != sorted(want.keywords):
        problems.append(f"keywords {sorted(got.keywords)}, expected {sorted(want.keywords)}")
    if not isinstance(got.distributions, tuple) or not all(
        isinstance(d, CatalogueDistribution) for d in got.distributions
    ):
        problems.append("distributions is not a tuple of CatalogueDistribution")
    elif _ordered(got.distributions) != _ordered(want.distributions):
        problems.append(
            f"distributions {_ordered(got.distributions)}, expected {_ordered(want.distributions)}"
        )
    return problems


def _ordered(
    distributions: Sequence[CatalogueDistribution],
) -> list[tuple[str | None, str | None, str | None]]:
    found = [(d.access_url, d.format, d.title) for d in distributions]
    return sorted(found, key=lambda d: tuple(part or "" for part in d))
