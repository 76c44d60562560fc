"""The JSON-LD @contexts shipped in ``contexts/``, and term <-> IRI mapping with them.

Nothing is ever fetched from the network: a context URL either names a shipped
copy or is unknown (then only the core context and the others shipped are used).
Files are parsed once per process, on first use. See ``contexts/ATTRIBUTION.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import orjson

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
"""The NGSI-LD core @context a broker applies last to every request."""


@dataclass(frozen=True, slots=True)
class ShippedContext:
    """One context file under ``contexts/`` and the URLs it is published at."""

    file: str
    urls: tuple[str, ...]


def _sdm_domain(name: str) -> ShippedContext:
    return ShippedContext(
        f"smart-data-models/dataModel.{name}/context.jsonld",
        (
            f"https://raw.githubusercontent.com/smart-data-models/dataModel.{name}/master/context.jsonld",
            f"https://smart-data-models.github.io/dataModel.{name}/context.jsonld",
        ),
    )


SHIPPED: tuple[ShippedContext, ...] = (
    ShippedContext(
        "etsi/ngsi-ld-core-context-v1.8.jsonld",
        (CORE_CONTEXT, "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"),
    ),
    ShippedContext(
        "smart-data-models/context.jsonld",
        (
            "https://smartdatamodels.org/context.jsonld",
            "https://raw.githubusercontent.com/smart-data-models/data-models/master/context.jsonld",
        ),
    ),
    *(
        _sdm_domain(name)
        for name in (
            "Device",
            "Environment",
            "Parking",
            "PointOfInterest",
            "Transportation",
            "WaterConsumption",
            "WaterQuality",
            "Weather",
        )
    ),
)
"""Core first: its terms win, as the core context is applied last and is protected."""


@dataclass(frozen=True, slots=True)
class _Document:
    terms: Mapping[str, str]
    """Term -> absolute IRI (compact IRIs resolved)."""
    vocab: str | None


def shipped_file(url: str) -> str | None:
    """The file under ``contexts/`` holding the context published at ``url``, if shipped."""
    for ctx in SHIPPED:
        if url in ctx.urls:
            return ctx.file
    return None


@functools.cache
def _raw(file: str) -> Mapping[str, Any]:
    data = orjson.loads((files(__package__) / "contexts" / file).read_bytes())
    ctx = data.get("@context") if isinstance(data, dict) else None
    if not isinstance(ctx, dict):
        raise ValueError(f"shipped context {file} has no @context object")
    return ctx


@functools.cache
def _document(file: str) -> _Document:
    core, own = _raw(SHIPPED[0].file), _raw(file)
    prefixes = {k: v for k, v in {**own, **core}.items() if isinstance(v, str)}
    vocab = own.get("@vocab", core.get("@vocab"))
    terms: dict[str, str] = {}
    for term, definition in own.items():
        if term.startswith("@"):
            continue
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if iri is None and isinstance(vocab, str):
            iri = vocab + term
        if isinstance(iri, str) and not iri.startswith("@"):
            terms[term] = _resolve(iri, prefixes)
    return _Document(terms, vocab if isinstance(vocab, str) else None)


def _resolve(iri: str, prefixes: Mapping[str, str]) -> str:
    prefix, sep, suffix = iri.partition(":")
    if sep and not suffix.startswith("//") and prefix in prefixes:
        return prefixes[prefix] + suffix
    return iri


class TermMap:
    """Term <-> IRI for one @context URL, as a broker given that context would see it.

    ``expand`` uses the core context, then the given one (when shipped), then the
    default vocabulary. ``compact`` also tries every other shipped context, so
    IRIs a broker could not compact with our context still get their short name.
    """

    def __init__(self, context_url: str) -> None:
        own = shipped_file(context_url)
        self.context_url = context_url
        self.shipped = own is not None
        core = SHIPPED[0].file
        active = [core] + ([own] if own and own != core else [])
        docs = [_document(f) for f in active]
        self._expand: dict[str, str] = {}
        for doc in reversed(docs):  # core last: it wins
            self._expand.update(doc.terms)
        self._vocab = next((d.vocab for d in docs if d.vocab), None)
        others = [_document(c.file) for c in SHIPPED if c.file not in active]
        self._compact: dict[str, str] = {}
        for doc in docs + others:  # first mapping of an IRI wins
            for term, iri in doc.terms.items():
                self._compact.setdefault(iri, term)
        self._vocabs = tuple(dict.fromkeys(d.vocab for d in docs + others if d.vocab))

    def expand(self, term: str) -> str:
        """The IRI ``term`` stands for (an absolute IRI stays as it is)."""
        if term in self._expand:
            return self._expand[term]
        if ":" in term or self._vocab is None:
            return term
        return self._vocab + term

    def compact(self, iri: str) -> str:
        """The short term for ``iri``; a term, or an IRI no context knows, stays as it is."""
        if ":" not in iri:
            return iri
        term = self._compact.get(iri)
        if term is not None:
            return term
        for vocab in self._vocabs:
            rest = iri[len(vocab) :]
            if iri.startswith(vocab) and rest and not any(c in rest for c in ":/#?"):
                return rest
        return iri


@functools.cache
def term_map(context_url: str) -> TermMap:
    """The (shared, immutable) TermMap for ``context_url``."""
    return TermMap(context_url)
