"""DCAT-AP-SE catalogues (RDF/XML or Turtle), parsed with rdflib, behind ``DcatAdapter``.

One GET of the catalogue document; every ``dcat:Dataset`` in it becomes a
``CatalogueDataset``: title and description in Swedish when given (else without
language, else English, else any), keywords, publisher (``foaf:name``),
``dcterms:modified``, and distributions (``dcat:accessURL``, format from
``dcterms:format`` or ``dcat:mediaType``). The search is applied here: a DCAT
document cannot be asked. JSON-LD is not accepted (its remote contexts would be
fetched); neither is an XML document with entity declarations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from rdflib.term import Node

from adapters.catalogue.base import CatalogueBase
from adapters.catalogue.search import matches
from adapters.contract import (
    CatalogueDataset,
    CatalogueDistribution,
    CatalogueQuery,
    CatalogueResult,
)
from adapters.errors import UnsupportedQuery, UpstreamProtocolError

TURTLE_TYPES = frozenset({"text/turtle", "application/x-turtle"})
XML_TYPES = frozenset({"application/rdf+xml", "application/xml", "text/xml"})
LANGUAGES = ("sv", None, "en")


class DcatAdapter(CatalogueBase):
    """A DCAT-AP-SE catalogue document (``kind: dcat-ap-se``)."""

    kind: ClassVar[str] = "dcat-ap-se"
    accept: ClassVar[str] = "text/turtle, application/rdf+xml;q=0.9"

    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        """Fetch and parse the document; keep the datasets that match, up to ``limit``."""
        if query.limit < 0:
            raise UnsupportedQuery("limit must not be negative")
        answer = await self.client.fetch(self.config.url)
        if not answer.body.strip():
            raise UpstreamProtocolError("the catalogue sent an empty document")
        configured = self.config.format
        rdf_format = _format_of(answer.content_type) if configured == "auto" else configured
        found = [d for d in parse_catalogue(answer.body, rdf_format) if matches(d, query.search)]
        self._log.debug("DCAT catalogue: %d matching datasets", len(found))
        return CatalogueResult(
            found[: query.limit], total_count=len(found), truncated=len(found) > query.limit
        )


def _format_of(content_type: str) -> str:
    if content_type in TURTLE_TYPES:
        return "turtle"
    if content_type in XML_TYPES:
        return "xml"
    raise UpstreamProtocolError(
        f"expected Turtle or RDF/XML, got content type {content_type!r} (set 'format' to override)"
    )


def parse_catalogue(body: bytes, rdf_format: str) -> list[CatalogueDataset]:
    """Every ``dcat:Dataset`` of an RDF document (``turtle`` or ``xml``), ordered by id."""
    if rdf_format == "xml" and b"<!ENTITY" in body:
        raise UpstreamProtocolError("the RDF/XML declares entities; refused")
    graph = Graph()
    try:
        graph.parse(data=body, format=rdf_format)
    except Exception as exc:  # rdflib's parsers raise many kinds
        name = "Turtle" if rdf_format == "turtle" else "RDF/XML"
        raise UpstreamProtocolError(
            f"the catalogue is not valid {name} ({type(exc).__name__})"
        ) from None
    datasets = [
        _dataset(graph, subject)
        for subject in set(graph.subjects(RDF.type, DCAT.Dataset))
        if isinstance(subject, Node)
    ]
    return sorted(datasets, key=lambda d: d.id)


def _dataset(graph: Graph, subject: Node) -> CatalogueDataset:
    title = _text(graph.objects(subject, DCTERMS.title)) or str(subject)
    publisher = graph.value(subject, DCTERMS.publisher)
    return CatalogueDataset(
        id=str(subject),
        title=title,
        description=_text(graph.objects(subject, DCTERMS.description)),
        distributions=tuple(
            _distribution(graph, node)
            for node in sorted(graph.objects(subject, DCAT.distribution), key=str)
        ),
        keywords=_keywords(graph.objects(subject, DCAT.keyword)),
        publisher=_text(graph.objects(publisher, FOAF.name)) if publisher is not None else None,
        modified=_text(graph.objects(subject, DCTERMS.modified)),
    )


def _distribution(graph: Graph, node: Node) -> CatalogueDistribution:
    urls = sorted(str(u) for u in graph.objects(node, DCAT.accessURL))
    fmt = _text(graph.objects(node, DCTERMS.format))
    if fmt is None:
        media = graph.value(node, DCAT.mediaType)
        fmt = str(media) if media is not None else None
    if fmt is not None and "/media-types/" in fmt:
        fmt = fmt.split("/media-types/", 1)[1]
    elif fmt is not None and "/file-type/" in fmt:
        fmt = fmt.rsplit("/", 1)[1]
    return CatalogueDistribution(
        access_url=urls[0] if urls else None,
        format=fmt,
        title=_text(graph.objects(node, DCTERMS.title)),
    )


def _text(values: Iterable[Node]) -> str | None:
    """The best value: a Swedish literal, else one without language, else English, else any."""
    found = list(values)
    literals = [v for v in found if isinstance(v, Literal)]
    for language in LANGUAGES:
        for literal in sorted(literals):
            if literal.language == language:
                return str(literal)
    if literals:
        return str(sorted(literals)[0])
    return str(found[0]) if found else None


def _keywords(values: Iterable[Node]) -> tuple[str, ...]:
    literals = [v for v in values if isinstance(v, Literal)]
    swedish = [str(v) for v in literals if v.language in ("sv", None)]
    return tuple(sorted(set(swedish or map(str, literals))))
