"""A city's catalogue as a DCAT-AP-SE graph (rdflib), serialised as Turtle or RDF/XML.

The mandatory classes and properties of DCAT-AP-SE 2 (Catalog: title,
description, publisher, dataset, license; Dataset: title, description,
publisher, contactPoint; Distribution: accessURL) and the usual recommended
ones (keyword, theme, modified, format, license, downloadURL).
"""

from __future__ import annotations

import functools

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from citysim.dcat.records import records
from citysim.municipalities import Municipality

LANGUAGE_SV = URIRef("http://publications.europa.eu/resource/authority/language/SWE")
MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
FREQUENCY = URIRef("http://publications.europa.eu/resource/authority/frequency/CONT")
"""Update frequency (DCAT-AP recommended): the live datasets change continuously."""
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


def catalogue_graph(city: Municipality, base_url: str, seed: int = 0) -> Graph:
    """The catalogue of ``city`` with its resources under ``base_url`` (no trailing slash)."""
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dcterms", DCTERMS)
    g.bind("foaf", FOAF)
    g.bind("vcard", VCARD)
    root = f"{base_url}/dcat"
    catalog = URIRef(f"{root}/catalog")
    publisher = URIRef(f"{root}/publisher")
    contact = URIRef(f"{root}/contact")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"Öppna data från {city.name} kommun", lang="sv")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(f"Datamängder som {city.name} kommun publicerar som öppna data.", lang="sv"),
        )
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, URIRef("http://creativecommons.org/publicdomain/zero/1.0/")))
    g.add((catalog, DCTERMS.language, LANGUAGE_SV))
    g.add((catalog, FOAF.homepage, URIRef(base_url)))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal(f"{city.name} kommun", lang="sv")))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal(f"Öppna data, {city.name} kommun")))
    g.add((contact, VCARD.hasEmail, URIRef(f"mailto:oppnadata@{city.id}.example.se")))
    for record in records(city, seed):
        dataset = URIRef(f"{root}/datasets/{record.slug}")
        g.add((catalog, DCAT.dataset, dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, DCTERMS.identifier, Literal(record.slug)))
        g.add((dataset, DCTERMS.title, Literal(record.title, lang="sv")))
        g.add((dataset, DCTERMS.description, Literal(record.description, lang="sv")))
        g.add((dataset, DCTERMS.publisher, publisher))
        g.add((dataset, DCAT.contactPoint, contact))
        g.add((dataset, DCAT.theme, URIRef(record.theme)))
        g.add((dataset, DCTERMS.modified, Literal(record.modified, datatype=XSD.date)))
        g.add((dataset, DCTERMS.accrualPeriodicity, FREQUENCY))
        for word in record.keywords:
            g.add((dataset, DCAT.keyword, Literal(word, lang="sv")))
        for number, dist in enumerate(record.distributions, start=1):
            node = URIRef(f"{root}/datasets/{record.slug}/distributions/{number}")
            url = URIRef(dist.path if "://" in dist.path else base_url + dist.path)
            g.add((dataset, DCAT.distribution, node))
            g.add((node, RDF.type, DCAT.Distribution))
            g.add((node, DCTERMS.title, Literal(dist.title, lang="sv")))
            g.add((node, DCAT.accessURL, url))
            g.add((node, DCAT.mediaType, URIRef(MEDIA_TYPES + dist.media_type)))
            g.add((node, DCTERMS.format, URIRef(MEDIA_TYPES + dist.media_type)))
            g.add((node, DCTERMS.license, URIRef(record.license)))
        period = BNode()
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal("2020-01-01", datatype=XSD.date)))
    return g


@functools.lru_cache(maxsize=128)
def serialised(city: Municipality, base_url: str, rdf_format: str, seed: int = 0) -> bytes:
    """The catalogue as ``turtle`` or ``xml`` (RDF/XML), built once per city and base URL."""
    return catalogue_graph(city, base_url, seed).serialize(format=rdf_format, encoding="utf-8")
