"""A history's dataset series (NGSI-LD ``datasetId``, ADR 0010) redacted as its default series.

The grant's rules are written for attribute names, and every dataset of an
attribute carries that attribute's name: whatever redaction a history's default
series gets (hidden attributes dropped, values coarsened), each dataset gets the
same, by running that very redaction on the dataset's series. A dataset is never
shown under a rule its default series would not be shown under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from adapters.contract import EntityHistory, HistoryPoint

HistoryRedaction = Callable[[EntityHistory], EntityHistory]
"""Redaction of an entity's default series (``EntityHistory.series``)."""

Series = Mapping[str, Sequence[HistoryPoint]]


def redact_with_datasets(entity: EntityHistory, redact: HistoryRedaction) -> EntityHistory:
    """``entity`` with ``redact`` applied to its default series and, alike, to each dataset's."""
    shown = redact(EntityHistory(entity.id, entity.type, entity.series))
    datasets: dict[str, dict[str, Sequence[HistoryPoint]]] = {}
    for dataset_id, series in by_dataset(entity.datasets).items():
        kept = redact(EntityHistory(entity.id, entity.type, series)).series
        for attribute, points in kept.items():
            datasets.setdefault(attribute, {})[dataset_id] = points
    return EntityHistory(shown.id, shown.type, shown.series, datasets)


def by_dataset(datasets: Mapping[str, Mapping[str, Sequence[HistoryPoint]]]) -> dict[str, Series]:
    """``attribute -> dataset id -> series`` turned into ``dataset id -> attribute -> series``."""
    turned: dict[str, dict[str, Sequence[HistoryPoint]]] = {}
    for attribute, per_dataset in datasets.items():
        for dataset_id, points in per_dataset.items():
            turned.setdefault(dataset_id, {})[attribute] = points
    return dict(turned)
