"""DCAT-AP 3.0.0 validation: untyped controlled-vocabulary IRIs are tolerated, real
violations count."""

from __future__ import annotations

from rdflib import Graph

from gateway.assessment import shacl

CATALOGUE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://example.se/catalog> a dcat:Catalog ;
  dct:title "Katalog"@sv ; dct:description "Kommunens data"@sv ;
  dct:publisher <https://example.se/org> ;
  dct:license <http://creativecommons.org/publicdomain/zero/1.0/> ;
  dcat:dataset <https://example.se/ds> .
<https://example.se/org> a foaf:Agent ; foaf:name "Kommunen"@sv .
<https://example.se/ds> a dcat:Dataset ;
  dct:title "Väder"@sv ; dct:description "Väderdata"@sv ;
  dcat:contactPoint <https://example.se/contact> ;
  dcat:distribution <https://example.se/dist> .
<https://example.se/contact> a vcard:Organization ; vcard:fn "Öppna data" .
<https://example.se/dist> a dcat:Distribution ;
  dcat:accessURL <https://example.se/api> %s .
"""


def test_an_untyped_licence_iri_is_tolerated_and_a_vcard_organization_is_a_kind() -> None:
    result = shacl.check(Graph().parse(data=CATALOGUE % "", format="turtle"))
    assert result.violations == ()
    assert any(f.path.endswith("license") for f in result.tolerated)


def test_a_literal_format_is_a_violation() -> None:
    data = CATALOGUE % '; dct:format "text/csv"'
    result = shacl.check(Graph().parse(data=data, format="turtle"))
    assert not result.conforms
    assert any(f.path.endswith("format") for f in result.violations)
