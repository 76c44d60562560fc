"""The one meaning of a catalogue search (``CatalogueQuery.matches``), for the adapters."""

from __future__ import annotations

from adapters.contract import CatalogueDataset, CatalogueQuery


def matches(dataset: CatalogueDataset, search: str | None) -> bool:
    """Every word of ``search`` occurs, case-insensitively, in title, description or keywords."""
    return CatalogueQuery(search=search).matches(dataset)
