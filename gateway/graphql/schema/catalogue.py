"""From the federated catalogue answer to the schema's DatasetConnection (docs/adr/0004-*.md)."""

from __future__ import annotations

from collections.abc import Mapping

import strawberry

from gateway.graphql.schema import convert
from gateway.graphql.schema.types import City, Dataset, DatasetConnection, Distribution, PageInfo
from gateway.query.datasets import DatasetAnswer, PlacedDataset


def dataset(placed: PlacedDataset, cities: Mapping[str, City]) -> Dataset:
    """One Dataset node."""
    d = placed.dataset
    return Dataset(
        id=strawberry.ID(d.id),
        title=d.title,
        city=cities[placed.city_id],
        description=d.description,
        distributions=[
            Distribution(access_url=x.access_url, format=x.format) for x in d.distributions
        ],
    )


def dataset_connection(answer: DatasetAnswer, cities: Mapping[str, City]) -> DatasetConnection:
    """The ``datasets`` field's value."""
    return DatasetConnection(
        nodes=[dataset(p, cities) for p in answer.items],
        page_info=PageInfo(has_next_page=answer.has_next, end_cursor=answer.end_cursor),
        coverage=convert.coverage_list(answer.coverage, cities),
    )
