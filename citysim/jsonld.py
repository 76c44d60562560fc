"""JSON-LD @contexts known to the simulated brokers, and term <-> IRI with them.

Only the contexts shipped in ``data/contexts`` are known; nothing is fetched. As in a
real broker, the NGSI-LD core context is applied last and is protected, so its terms
(``location``, ``observedAt``, ``description``, ...) win over any other definition, and
a term no context defines expands under the core ``@vocab``
(``https://uri.etsi.org/ngsi-ld/default-context/``). Only term definitions matter
here: type coercion, containers and nested contexts are ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from citysim.resources import read_json

JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
CORE_CONTEXT_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
UNIFIED_CONTEXT_URL = "https://smartdatamodels.org/context.jsonld"

_CORE_FILE = "contexts/etsi/ngsi-ld-core-context-v1.8.jsonld"


def domain_context_url(domain: str) -> str:
    """Where a Smart Data Models domain publishes its context, e.g. ``Weather``."""
    return f"https://raw.githubusercontent.com/smart-data-models/dataModel.{domain}/master/context.jsonld"


DOMAINS = (
    "Device",
    "Environment",
    "PointOfInterest",
    "Transportation",
    "WaterConsumption",
    "WaterQuality",
    "Weather",
)

KNOWN_CONTEXTS: Mapping[str, str] = {
    CORE_CONTEXT_URL: _CORE_FILE,
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld": _CORE_FILE,
    UNIFIED_CONTEXT_URL: "contexts/smart-data-models/context.jsonld",
    "https://raw.githubusercontent.com/smart-data-models/data-models/master/context.jsonld": (
        "contexts/smart-data-models/context.jsonld"
    ),
    **{
        url: f"contexts/smart-data-models/dataModel.{domain}/context.jsonld"
        for domain in DOMAINS
        for url in (
            domain_context_url(domain),
            f"https://smart-data-models.github.io/dataModel.{domain}/context.jsonld",
        )
    },
}
"""Context URL -> file under ``data/``."""


class UnknownContext(LookupError):
    """A @context URL that is not shipped with citysim."""


@dataclass(slots=True)
class TermContext:
    """The active context of one request: a known context (or none) plus the core context."""

    url: str
    """The context as the client named it; the core context URL when it named none."""
    terms: Mapping[str, str]
    """Term -> absolute IRI."""
    vocab: str
    _reverse: dict[str, str] = field(default_factory=dict, repr=False)
    _prefixes: list[tuple[str, str]] = field(default_factory=list, repr=False)

    def expand(self, term: str) -> str:
        """The IRI of ``term``: a defined term, a compact or absolute IRI, else ``@vocab``."""
        iri = self.terms.get(term)
        if iri is not None:
            return iri
        prefix, sep, suffix = term.partition(":")
        if sep:
            base = self.terms.get(prefix)
            if base is not None and not suffix.startswith("//"):
                return base + suffix
            return term
        return self.vocab + term

    def compact(self, iri: str) -> str:
        """The shortest term for ``iri``, else vocab-relative, else a compact IRI, else itself."""
        if not self._reverse:
            self._reverse.update(_reverse(self.terms))
            self._prefixes.extend(
                sorted(
                    ((t, base) for t, base in self.terms.items() if base[-1:] in ("/", "#")),
                    key=lambda item: (len(item[0]), item[0]),
                )
            )
        term = self._reverse.get(iri)
        if term is not None:
            return term
        if iri.startswith(self.vocab):
            rest = iri[len(self.vocab) :]
            if rest and self.terms.get(rest, iri) == iri:
                return rest
        for prefix, base in self._prefixes:
            if iri.startswith(base) and len(iri) > len(base):
                return f"{prefix}:{iri[len(base) :]}"
        return iri


def known(url: str) -> bool:
    """True when ``url`` names a context shipped with citysim."""
    return url in KNOWN_CONTEXTS


@functools.cache
def term_context(url: str | None) -> TermContext:
    """The active context for a request naming ``url`` (None: the core context only).

    Raises ``UnknownContext`` for a URL that is not shipped.
    """
    core = _definitions(_CORE_FILE)
    if url is None or KNOWN_CONTEXTS.get(url) == _CORE_FILE:
        own: Mapping[str, Any] = {}
    elif url in KNOWN_CONTEXTS:
        own = _definitions(KNOWN_CONTEXTS[url])
    else:
        raise UnknownContext(url)
    merged = {**own, **core}
    vocab = merged.get("@vocab")
    if not isinstance(vocab, str):
        raise ValueError("the core context defines no @vocab")
    terms: dict[str, str] = {}
    for term, definition in merged.items():
        iri = definition.get("@id") if isinstance(definition, dict) else definition
        if term.startswith("@") or not isinstance(iri, str) or iri.startswith("@"):
            continue
        terms[term] = _absolute(iri, merged, vocab)
    return TermContext(url=url or CORE_CONTEXT_URL, terms=terms, vocab=vocab)


def _definitions(file: str) -> Mapping[str, Any]:
    document = read_json(file)
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise ValueError(f"{file} holds no @context object")
    return context


def _absolute(iri: str, definitions: Mapping[str, Any], vocab: str) -> str:
    prefix, sep, suffix = iri.partition(":")
    if not sep:
        return vocab + iri
    base = definitions.get(prefix)
    if isinstance(base, str) and not suffix.startswith("//"):
        return base + suffix
    return iri


def _reverse(terms: Mapping[str, str]) -> dict[str, str]:
    """IRI -> its shortest term (ties: the lexicographically least), as JSON-LD picks."""
    best: dict[str, str] = {}
    for term, iri in terms.items():
        current = best.get(iri)
        if current is None or (len(term), term) < (len(current), current):
            best[iri] = term
    return best
