"""The gateway's own DCAT-AP-SE catalogue (``/catalogue.ttl``): every city's federated
datasets and the assessment itself, valid against the DCAT-AP 3.0.0 shapes.

Every IRI from a controlled vocabulary (language, licence, frequency, theme, media
type, access right) is typed as DCAT-AP asks, so the catalogue has no violation,
tolerated or not (``shacl.py``).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from gateway.assessment import schemas
from gateway.federation.model import Federation

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
LANGUAGE_SV = URIRef(AUTHORITY + "language/SWE")
CONTINUOUS = URIRef(AUTHORITY + "frequency/CONT")
PUBLIC = URIRef(AUTHORITY + "access-right/PUBLIC")
RESTRICTED = URIRef(AUTHORITY + "access-right/RESTRICTED")
THEMES = URIRef(AUTHORITY + "data-theme")
THEME_ENVIRONMENT = URIRef(AUTHORITY + "data-theme/ENVI")
THEME_GOVERNMENT = URIRef(AUTHORITY + "data-theme/GOVE")
CC_BY = URIRef("http://creativecommons.org/licenses/by/4.0/")
MEDIA = "http://www.iana.org/assignments/media-types/"
JSON_MEDIA = URIRef(MEDIA + "application/json")
HTML_MEDIA = URIRef(MEDIA + "text/html")
TURTLE = "text/turtle; charset=utf-8"


def catalogue_graph(federation: Federation, base_url: str, issued: str) -> Graph:
    """The catalogue of a gateway at ``base_url`` (no trailing slash); ``issued``: a date."""
    g = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("skos", SKOS),
    ):
        g.bind(prefix, namespace)
    catalog = URIRef(f"{base_url}/catalogue.ttl#catalogue")
    publisher = URIRef(f"{base_url}/catalogue.ttl#publisher")
    contact = URIRef(f"{base_url}/catalogue.ttl#contact")
    homepage = URIRef(f"{base_url}/")
    _vocabulary(g)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("City as a Platform: federerade data", lang="sv")))
    g.add((catalog, DCTERMS.title, Literal("City as a Platform: federated data", lang="en")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal(
                "Datamängderna som de arton kommunerna i City as a Platform delar genom gatewayen, "
                "och bedömningen av hur varje kommuns plattform möter minimiramverket.",
                lang="sv",
            ),
        )
    )
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, CC_BY))
    g.add((catalog, DCTERMS.language, LANGUAGE_SV))
    g.add((catalog, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    g.add((catalog, DCTERMS.modified, Literal(issued, datatype=XSD.date)))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.themeTaxonomy, THEMES))
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("City as a Platform", lang="sv")))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("City as a Platform, gateway")))
    g.add((contact, VCARD.hasURL, homepage))
    for city in federation.cities.values():
        for name, dataset in city.datasets.items():
            public = any(grant.audience.public for grant in dataset.access.grants)
            _dataset(
                g,
                catalog,
                publisher,
                contact,
                node=URIRef(f"{base_url}/catalogue.ttl#{city.id}-{name}"),
                title=f"{name} i {city.name}",
                description=(
                    f"{name} från {city.name} kommuns plattform ({city.adapter.kind}), "
                    f'federerad av gatewayen; fråga med GraphQL: entities(type: "{name}", '
                    f'filter: {{cities: ["{city.id}"]}}).'
                ),
                access=(f"{base_url}/graphql", JSON_MEDIA, "GraphQL (application/json)"),
                theme=THEME_ENVIRONMENT,
                access_right=PUBLIC if public else RESTRICTED,
                conforms_to=schemas.schema_url(name),
                keywords=(city.name, name, "öppna data"),
            )
    _dataset(
        g,
        catalog,
        publisher,
        contact,
        node=URIRef(f"{base_url}/catalogue.ttl#assessment"),
        title="Bedömning mot minimiramverket",
        description=(
            "Hur varje kommuns dataplattform möter minimiramverket (standard-API, Smart Data "
            "Models, platser, fel, katalog, personuppgifter, drift), kontroll för kontroll, "
            "med bevis."
        ),
        access=(f"{base_url}/assessment.json", JSON_MEDIA, "Bedömningen som JSON"),
        theme=THEME_GOVERNMENT,
        access_right=PUBLIC,
        conforms_to=None,
        keywords=("minimiramverk", "bedömning", "interoperabilitet"),
        page=(f"{base_url}/assessment", HTML_MEDIA, "Bedömningen som webbsida"),
    )
    return g


def _vocabulary(g: Graph) -> None:
    """Type every controlled-vocabulary IRI the catalogue uses, as DCAT-AP asks."""
    g.add((LANGUAGE_SV, RDF.type, DCTERMS.LinguisticSystem))
    g.add((CONTINUOUS, RDF.type, DCTERMS.Frequency))
    g.add((CC_BY, RDF.type, DCTERMS.LicenseDocument))
    g.add((THEMES, RDF.type, SKOS.ConceptScheme))
    g.add((THEMES, DCTERMS.title, Literal("Data theme", lang="en")))
    for right in (PUBLIC, RESTRICTED):
        g.add((right, RDF.type, DCTERMS.RightsStatement))
    for theme, label in (
        (THEME_ENVIRONMENT, "Miljö"),
        (THEME_GOVERNMENT, "Regeringen och den offentliga sektorn"),
    ):
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.prefLabel, Literal(label, lang="sv")))
        g.add((theme, SKOS.inScheme, THEMES))
    for media in (JSON_MEDIA, HTML_MEDIA):
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((media, RDF.type, DCTERMS.MediaTypeOrExtent))


def _dataset(
    g: Graph,
    catalog: URIRef,
    publisher: URIRef,
    contact: URIRef,
    *,
    node: URIRef,
    title: str,
    description: str,
    access: tuple[str, URIRef, str],
    theme: URIRef,
    access_right: URIRef,
    conforms_to: str | None,
    keywords: tuple[str, ...],
    page: tuple[str, URIRef, str] | None = None,
) -> None:
    g.add((catalog, DCAT.dataset, node))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.title, Literal(title, lang="sv")))
    g.add((node, DCTERMS.description, Literal(description, lang="sv")))
    g.add((node, DCTERMS.publisher, publisher))
    g.add((node, DCAT.contactPoint, contact))
    g.add((node, DCTERMS.accrualPeriodicity, CONTINUOUS))
    g.add((node, DCAT.theme, theme))
    for word in keywords:
        g.add((node, DCAT.keyword, Literal(word, lang="sv")))
    g.add((node, DCTERMS.accessRights, access_right))
    if conforms_to is not None:
        standard = URIRef(conforms_to)
        g.add((node, DCTERMS.conformsTo, standard))
        g.add((standard, RDF.type, DCTERMS.Standard))
    for number, (url, media, label) in enumerate([access, *([page] if page else [])], start=1):
        distribution = URIRef(f"{node}-distribution-{number}")
        target = URIRef(url)
        g.add((node, DCAT.distribution, distribution))
        g.add((distribution, RDF.type, DCAT.Distribution))
        g.add((distribution, DCTERMS.title, Literal(label, lang="sv")))
        g.add((distribution, DCTERMS.description, Literal(label, lang="sv")))
        g.add((distribution, DCAT.accessURL, target))
        g.add((target, RDF.type, RDFS.Resource))
        g.add((distribution, DCAT.mediaType, media))
        g.add((distribution, DCTERMS.format, media))
        g.add((distribution, DCTERMS.license, CC_BY))
    period = BNode()
    g.add((node, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal("2026-01-01", datatype=XSD.date)))


def serialise(graph: Graph) -> bytes:
    """Turtle, UTF-8."""
    data: bytes = graph.serialize(format="turtle", encoding="utf-8")
    return data
