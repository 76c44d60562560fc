"""catalogue.*: DCAT-AP-SE that parses, validates against DCAT-AP 3.0.0, has the mandatory
and recommended properties, and lists exactly the datasets the platform serves."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

from gateway.assessment import schemas, shacl
from gateway.assessment.evidence import Evidence, Outcome, excerpt, failed, passed
from gateway.assessment.target import CityTarget, Exchange

RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/x-turtle": "turtle",
}
MAX_FINDINGS = 8


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The city's catalogue document: the exchange, and the graph (None: did not parse)."""

    answer: Exchange | None
    graph: Graph | None
    problem: str | None
    request: str


async def read(target: CityTarget) -> Catalogue:
    """The city's DCAT-AP-SE catalogue, fetched and parsed once per assessment."""
    result: Catalogue = await target.once("catalogue", lambda: _read(target))
    return result


async def _read(target: CityTarget) -> Catalogue:
    spec = target.city.catalogue
    if spec is None:
        return Catalogue(None, None, "the federation file names no catalogue", "federation file")
    if spec.kind != "dcat-ap-se":
        request = f"federation file: cities.{target.id}.catalogue.kind"
        return Catalogue(None, None, f"a {spec.kind} API, not a DCAT-AP-SE document", request)
    url = str(spec.options.get("url"))
    answer = await target.get(url, {"Accept": "text/turtle, application/rdf+xml;q=0.9"})
    if answer.status != 200:
        return Catalogue(
            answer, None, f"answered {answer.status or answer.error}", answer.request_line
        )
    media = answer.content_type.split(";")[0].strip().lower()
    rdf_format = RDF_FORMATS.get(media)
    if rdf_format is None:
        return Catalogue(answer, None, f"content type {media!r} is not RDF", answer.request_line)
    graph = Graph()
    try:
        graph.parse(data=answer.body, format=rdf_format)
    except Exception as exc:  # rdflib raises many kinds; the message is the evidence
        return Catalogue(
            answer, None, f"does not parse as {rdf_format}: {exc}", answer.request_line
        )
    if not list(graph.subjects(RDF.type, DCAT.Catalog)):
        return Catalogue(answer, None, "no dcat:Catalog in the document", answer.request_line)
    return Catalogue(answer, graph, None, answer.request_line)


def _unreadable(catalogue: Catalogue, expected: str) -> Outcome:
    response = (
        catalogue.answer.describe() if catalogue.answer is not None else str(catalogue.problem)
    )
    return failed(
        f"no DCAT-AP-SE catalogue: {catalogue.problem}",
        Evidence(catalogue.request, response, expected),
    )


async def dcat(target: CityTarget) -> Outcome:
    """The catalogue parses as RDF with a dcat:Catalog and its datasets."""
    catalogue = await read(target)
    expected = "Turtle or RDF/XML with one dcat:Catalog and its dcat:Dataset entries"
    if catalogue.graph is None:
        return _unreadable(catalogue, expected)
    datasets = list(catalogue.graph.subjects(RDF.type, DCAT.Dataset))
    evidence = Evidence(
        catalogue.request,
        f"{len(catalogue.graph)} triples, {len(datasets)} datasets",
        expected,
    )
    if not datasets:
        return failed("the catalogue lists no dataset", evidence)
    return passed(f"DCAT-AP-SE with {len(datasets)} datasets", evidence)


async def shacl_valid(target: CityTarget) -> Outcome:
    """No violation of the DCAT-AP 3.0.0 shapes (vocabulary class violations tolerated)."""
    catalogue = await read(target)
    expected = "no sh:Violation against the DCAT-AP 3.0.0 shapes (pySHACL)"
    if catalogue.graph is None:
        return _unreadable(catalogue, expected)
    result = await asyncio.to_thread(shacl.check, catalogue.graph)
    lines = [f.line() for f in result.violations[:MAX_FINDINGS]]
    summary = (
        f"{len(result.violations)} violations, {len(result.tolerated)} tolerated "
        f"(controlled-vocabulary IRIs not typed), {len(result.warnings)} warnings"
    )
    evidence = Evidence(
        f"pySHACL: {catalogue.request}", excerpt("\n".join([summary, *lines]), 2000), expected
    )
    if not result.conforms:
        return failed(summary, evidence)
    return passed(summary, evidence)


def _has_swedish(graph: Graph, subject: Node, predicate: URIRef) -> bool:
    return any(
        isinstance(v, Literal) and (v.language or "").lower().startswith("sv")
        for v in graph.objects(subject, predicate)
    )


def _dataset_gaps(graph: Graph, dataset: Node) -> list[str]:
    gaps = []
    if not _has_swedish(graph, dataset, DCTERMS.title):
        gaps.append("dct:title@sv")
    if not _has_swedish(graph, dataset, DCTERMS.description):
        gaps.append("dct:description@sv")
    for predicate, name in (
        (DCTERMS.publisher, "dct:publisher"),
        (DCAT.contactPoint, "dcat:contactPoint"),
        (DCTERMS.accrualPeriodicity, "dct:accrualPeriodicity"),
    ):
        if graph.value(dataset, predicate) is None:
            gaps.append(name)
    distributions = list(graph.objects(dataset, DCAT.distribution))
    if not distributions:
        gaps.append("dcat:distribution")
    if distributions and not any(graph.value(d, DCAT.accessURL) for d in distributions):
        gaps.append("dcat:accessURL")
    unlicensed = [d for d in distributions if graph.value(d, DCTERMS.license) is None]
    if unlicensed:
        gaps.append(f"dct:license ({len(unlicensed)} of {len(distributions)} distributions)")
    return gaps


async def properties(target: CityTarget) -> Outcome:
    """Every dataset has the mandatory and recommended properties."""
    catalogue = await read(target)
    expected = (
        "every dataset: dct:title and dct:description in Swedish, dct:publisher, "
        "dcat:contactPoint, dct:accrualPeriodicity; distributions with dcat:accessURL "
        "and dct:license"
    )
    if catalogue.graph is None:
        return _unreadable(catalogue, expected)
    graph = catalogue.graph
    found = []
    datasets = sorted(graph.subjects(RDF.type, DCAT.Dataset), key=str)
    for dataset in datasets:
        gaps = _dataset_gaps(graph, dataset)
        if gaps:
            found.append(f"{dataset}: missing {', '.join(gaps)}")
    response = "\n".join(found[:MAX_FINDINGS]) if found else f"{len(datasets)} datasets complete"
    if len(found) > MAX_FINDINGS:
        response += f"\n... {len(found) - MAX_FINDINGS} more"
    evidence = Evidence(catalogue.request, response, expected)
    if found:
        return failed(f"{len(found)} of {len(datasets)} datasets miss properties", evidence)
    return passed(f"{len(datasets)} datasets have every property", evidence)


def types_named(graph: Graph, dataset: Node, candidates: frozenset[str]) -> set[str]:
    """The entity types a catalogue dataset is about: named by an access URL (type=T) or
    by dct:conformsTo the model's schema."""
    named: set[str] = set()
    urls = [
        str(url)
        for dist in graph.objects(dataset, DCAT.distribution)
        for url in graph.objects(dist, DCAT.accessURL)
    ]
    conforms = [str(c) for c in graph.objects(dataset, DCTERMS.conformsTo)]
    for entity_type in candidates:
        schema = schemas.schema_url(entity_type)
        if any(f"type={entity_type}" in url for url in urls) or (schema and schema in conforms):
            named.add(entity_type)
    return named


async def complete(target: CityTarget) -> Outcome:
    """Every served type has a catalogue dataset; no catalogue dataset names an unserved type."""
    catalogue = await read(target)
    served = set(target.datasets)
    expected = f"a dataset for each served type ({', '.join(sorted(served))}) and no other type"
    if catalogue.graph is None:
        return _unreadable(catalogue, expected)
    graph = catalogue.graph
    candidates = schemas.known_types() | served
    listed: set[str] = set()
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        listed |= types_named(graph, dataset, frozenset(candidates))
    missing = sorted(served - listed)
    extra = sorted(listed - served)
    response = f"listed: {', '.join(sorted(listed)) or 'none'}"
    evidence = Evidence(catalogue.request, response, expected)
    problems = []
    if missing:
        problems.append(f"served but not catalogued: {', '.join(missing)}")
    if extra:
        problems.append(f"catalogued but not served: {', '.join(extra)}")
    if problems:
        return failed("; ".join(problems), evidence)
    return passed(f"the {len(served)} served datasets, and only those", evidence)
