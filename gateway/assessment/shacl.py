"""DCAT-AP 3.0.0 SHACL validation (pySHACL) with the shapes copied into ``data/dcat-ap-shacl``.

How the assessment treats controlled vocabularies: DCAT-AP's shapes require the value
of e.g. ``dct:language`` to be a ``dct:LinguisticSystem`` and of ``dct:license`` a
``dct:LicenseDocument``. A catalogue that points at an EU authority table or a licence
IRI without saying what the IRI is gets a class violation, though the IRI is right
(DIGG's own ``rekommenderat.ttl`` gets 25 of them). Such a violation (a class
constraint whose value is an IRI the catalogue says nothing about) is *tolerated*:
reported as a warning, not as a violation. Every other violation counts.
The gateway's own catalogue declares those types and has neither.

The shapes' ``sh:class`` follows ``rdfs:subClassOf`` in the data; the subclass axioms of
vCard and FOAF that DCAT-AP relies on (a ``vcard:Organization`` is a ``vcard:Kind``) are
added as the ontology (``AXIOMS``), since no catalogue states them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, SH, Namespace
from rdflib.term import Node

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
AXIOMS = (
    *(
        (VCARD[name], RDFS.subClassOf, VCARD.Kind)
        for name in ("Individual", "Organization", "Group", "Location")
    ),
    *((FOAF[name], RDFS.subClassOf, FOAF.Agent) for name in ("Organization", "Person", "Group")),
)
"""The vCard and FOAF subclass axioms the shapes assume."""

SHAPES = Path(__file__).resolve().parent / "data" / "dcat-ap-shacl"
SHAPE_FILES = (
    "dcat-ap-3.0.0-SHACL.ttl",
    "dcat-ap-3.0.0-range.ttl",
    "dcat-ap-3.0.0-shapes-recommended.ttl",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One SHACL result: severity, focus node, path, value, message."""

    severity: str
    focus: str
    path: str
    value: str
    message: str

    def line(self) -> str:
        """One line for the report."""
        return f"{self.severity}: {self.focus} {self.path} {self.value}: {self.message}".strip()


@dataclass(frozen=True, slots=True)
class ShaclResult:
    """Violations (they count), tolerated vocabulary class violations, and warnings."""

    violations: tuple[Finding, ...]
    tolerated: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def conforms(self) -> bool:
        """No violation that counts."""
        return not self.violations


@functools.cache
def axioms() -> Graph:
    """``AXIOMS`` as a graph."""
    graph = Graph()
    for triple in AXIOMS:
        graph.add(triple)
    return graph


@functools.cache
def shapes() -> Graph:
    """The DCAT-AP 3.0.0 shapes, parsed once."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def check(data: Graph) -> ShaclResult:
    """Validate ``data`` against the shapes."""
    _conforms, report, _text = validate(
        data,
        shacl_graph=shapes(),
        ont_graph=axioms(),
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    assert isinstance(report, Graph)
    violations: list[Finding] = []
    tolerated: list[Finding] = []
    warnings: list[Finding] = []
    for result in sorted(report.subjects(RDF.type, SH.ValidationResult), key=str):
        finding = _finding(report, result)
        severity = report.value(result, SH.resultSeverity)
        component = report.value(result, SH.sourceConstraintComponent)
        value = report.value(result, SH.value)
        if severity != SH.Violation:
            warnings.append(finding)
        elif (
            component == SH.ClassConstraintComponent
            and isinstance(value, URIRef)
            and (value, None, None) not in data
        ):
            tolerated.append(finding)
        else:
            violations.append(finding)
    return ShaclResult(tuple(violations), tuple(tolerated), tuple(warnings))


def _finding(report: Graph, result: Node) -> Finding:
    def text(predicate: URIRef) -> str:
        value = report.value(result, predicate)
        return "" if value is None else str(value)

    severity = text(SH.resultSeverity).rsplit("#", 1)[-1]
    return Finding(
        severity, text(SH.focusNode), text(SH.resultPath), text(SH.value), text(SH.resultMessage)
    )
