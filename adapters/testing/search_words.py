"""The searches the catalogue suite asks, chosen from the ground truth.

Only whole words (letters, four or more) are asked for, so a catalogue that
searches by words (CKAN's Solr) answers as one that matches text; what a search
must find is always ``CatalogueQuery.matches`` applied to the truth.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from adapters.contract import CatalogueDataset

NO_MATCH = "zqxconformancenomatch"
_WORD = re.compile(r"[^\W\d_]{4,}")


def words(dataset: CatalogueDataset) -> list[str]:
    """The distinct words of title, description and keywords, in that order."""
    text = " ".join((dataset.title, dataset.description or "", *dataset.keywords))
    return list(dict.fromkeys(_WORD.findall(text)))


def searches(datasets: Sequence[CatalogueDataset]) -> list[str]:
    """A title word upper-cased; two words of different fields, oddly spaced; two words of
    different datasets (every word must match); a word in no dataset; last, the word in
    most datasets, but not in all (unless every word is)."""
    chosen = max(sorted(datasets, key=lambda d: d.id), key=lambda d: len(words(d)))
    own = words(chosen)
    if not own:
        return [NO_MATCH]
    title = (_WORD.findall(chosen.title) or own)[0]
    other_field = next((w for w in own if w not in _WORD.findall(chosen.title)), title)
    text = " ".join(own).casefold()
    elsewhere = next((w for d in datasets for w in words(d) if w.casefold() not in text), NO_MATCH)
    counts = Counter(w for d in datasets for w in {x.casefold() for x in words(d)})
    some = [w for w in counts if counts[w] < len(datasets)] or list(counts)
    common = min(some, key=lambda w: (-counts[w], w))
    return [
        title.upper(),
        f"  {other_field.title()}\t {title.lower()}  ",
        f"{title} {elsewhere}",
        NO_MATCH,
        common,
    ]
