"""CKAN packages whose texts are language maps (ckanext-fluent), as multilingual portals send."""

from __future__ import annotations

from adapters.catalogue.ckan import to_dataset

FLUENT_PACKAGE = {
    "id": "b3c1",
    "name": "luftkvalitet",
    "title": {"en": "Air quality", "sv": "Luftkvalitet"},
    "notes": {"en": "Hourly means", "sv": "Timmedelvärden"},
    "organization": {"title": {"sv": "Miljöförvaltningen", "en": "Environment"}},
    "resources": [{"url": "https://x.se/a.csv", "format": "CSV", "name": {"en": "Data"}}],
}


def test_a_language_map_title_is_the_swedish_string() -> None:
    """Issue 12, CKAN defect: a title given as a language map came out as a Python repr
    (``"{'en': 'Air quality', 'sv': 'Luftkvalitet'}"``)."""
    dataset = to_dataset(FLUENT_PACKAGE)
    assert dataset.title == "Luftkvalitet"
    assert dataset.description == "Timmedelvärden"
    assert dataset.publisher == "Miljöförvaltningen"
    assert dataset.distributions[0].title == "Data"  # no Swedish: the first string


def test_without_swedish_the_first_string_and_without_any_the_name() -> None:
    """Issue 12, CKAN defect: the fallbacks of a language map title."""
    assert to_dataset({"id": "1", "title": {"de": "", "en": "Parking"}}).title == "Parking"
    assert to_dataset({"id": "1", "name": "p", "title": {"en": ""}}).title == "p"
    assert to_dataset({"id": "1", "name": "p", "title": 42}).title == "p"
