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

import orjson

from citysim.resources import read_json

JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
CORE_CONTEXT_URL = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
UNIFIED_CONTEXT_URL = "https://smartdatamodels.org/context.jsonld"

_CORE_FILE = "contexts/etsi/ngsi-ld-core-context-v1.8.jsonld"
_SUITE_DIR = "contexts/etsi-test-suite"
_SUITE_HOMES = (
    "https://forge.etsi.org/rep/cim/ngsi-ld-test-suite/-/raw/develop/resources/jsonld-contexts",
    "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/jsonld-contexts",
)
"""Where the ETSI NGSI-LD test suite's contexts are published (upstream, and the fork the
shipped copy of the suite names)."""
_EGM = "https://easy-global-market.github.io/ngsild-api-data-models/ngsildTestSuite"
_SUITE_COMPOUND = f"{_SUITE_DIR}/ngsi-ld-test-suite-compound.jsonld"


def domain_context_url(domain: str) -> str:
    """Where a Smart Data Models domain publishes its context, e.g. ``Weather``."""
    return f"https://raw.githubusercontent.com/smart-data-models/dataModel.{domain}/master/context.jsonld"


DOMAINS = (
    "Device",
    "Environment",
    "Parking",
    "PointOfInterest",
    "Transportation",
    "WaterConsumption",
    "WaterQuality",
    "Weather",
)

KNOWN_CONTEXTS: Mapping[str, str] = {
    CORE_CONTEXT_URL: _CORE_FILE,
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld": _CORE_FILE,
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld": (
        "contexts/etsi/ngsi-ld-core-context-v1.9.jsonld"
    ),
    # Earlier core versions name the same core: citysim applies its v1.8 core to every request.
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld": _CORE_FILE,
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.7.jsonld": _CORE_FILE,
    **{
        f"{home}/{name}": f"{_SUITE_DIR}/{name}"
        for home in _SUITE_HOMES
        for name in ("ngsi-ld-test-suite.jsonld", "ngsi-ld-test-suite-compound.jsonld")
    },
    # Some test data names Easy Global Market's publication of the same contexts: its
    # ngsildTestSuite.jsonld defines the very terms of the suite's ngsi-ld-test-suite.jsonld,
    # and ngsildTestSuiteV1.8-compound.jsonld is that plus the v1.8 core (read 2026-12 in
    # easy-global-market/ngsild-api-data-models); nothing of it is copied here.
    f"{_EGM}/ngsildTestSuite.jsonld": f"{_SUITE_DIR}/ngsi-ld-test-suite.jsonld",
    f"{_EGM}/ngsildTestSuiteV1.8-compound.jsonld": _SUITE_COMPOUND,
    f"{_EGM}/ngsi-ld-test-suite-compound.jsonld": _SUITE_COMPOUND,
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
    document: Any = None
    """The ``@context`` value as the client gave it (a URL, an object or a list)."""
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
    if url is None:
        return _build(CORE_CONTEXT_URL, CORE_CONTEXT_URL, {})
    return _build(url, url, _resolve(url, 0))


def context_of(value: Any) -> TermContext:
    """The active context of a ``@context`` member (a URL, an object or a list of them).

    URLs resolve through ``KNOWN_CONTEXTS`` only; raises ``UnknownContext`` for one that
    is not shipped and ``ValueError`` for a value that is not a context.
    """
    if isinstance(value, str):
        return term_context(value)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return term_context(value[0])
    key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return _context_of_json(key)


@functools.lru_cache(maxsize=256)
def _context_of_json(key: str) -> TermContext:
    value = orjson.loads(key)
    url = (
        next((v for v in value if isinstance(v, str)), CORE_CONTEXT_URL)
        if isinstance(value, list)
        else CORE_CONTEXT_URL
    )
    return _build(url, value, _resolve(value, 0))


_MAX_NESTING = 8


def _resolve(value: Any, depth: int) -> dict[str, Any]:
    """Term definitions of a context value, later entries winning; core files contribute none."""
    if depth > _MAX_NESTING:
        raise ValueError("@context: nested more than 8 levels deep")
    if value is None:
        return {}
    if isinstance(value, str):
        file = KNOWN_CONTEXTS.get(value)
        if file is None:
            raise UnknownContext(value)
        if file.startswith("contexts/etsi/"):
            return {}
        document = read_json(file)
        inner = document.get("@context") if isinstance(document, dict) else None
        return _resolve(inner, depth + 1)
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            merged.update(_resolve(item, depth + 1))
        return merged
    if isinstance(value, dict):
        return dict(value)
    raise ValueError(f"@context: {value!r} is neither a URL, an object nor a list")


def _build(url: str, document: Any, own: Mapping[str, Any]) -> TermContext:
    core = _definitions(_CORE_FILE)
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
    return TermContext(url=url, terms=terms, vocab=vocab, document=document)


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
