"""Why citysim still fails the tests it fails: one cause per robot file, read from the test
and checked against citysim's code. ``report.markdown`` groups the failures by them."""

from __future__ import annotations

from collections.abc import Mapping

CAUSES: Mapping[str, str] = {
    "5744_03": "Scope history (clauses 4.18, 5.7.4.4 S4): temporal entities keep scopes as "
    "instances valid over time; citysim keeps one scope per entity and refuses scope "
    "instances in a temporal payload.",
    "019_29": "q attribute-path extensions (clause 4.9): language filters (name[fr], [*]), "
    "linked-entity subqueries (rel{type}.attr) and expandValues are not in citysim's q parser.",
    "5744_02": "q language filters ([lang], [*]) on the temporal query are not parsed.",
    "5744_06": "q language filters ([lang], [*]) on the temporal query are not parsed.",
    "5743_01": "expandValues (clause 5.7.4.3) is not implemented: query term values are not "
    "expanded against the @context.",
    "5243_01": "OrderingParams (clause 5.2.43): geo-distance ordering (orderFrom/coordinates "
    "checks) and ICU collations are not implemented.",
    "423_01": "Entity ordering by distance (dist-asc/dist-desc) and by compound-value members "
    "(clause 4.23) is not implemented.",
    "4233_01": "orderBy collation (clause 4.23.3, RFC 6067 tags) is not implemented: strings "
    "order by code point.",
    "020_17": "deletedAt temporal property (clause 4.5.8): deleted attribute instances are "
    "not kept in the history as deletedAt instances.",
    "020_18": "deletedAt temporal property (clause 4.5.8) in the temporalValues form: not kept.",
    "020_19": "Scope history with deletedAt (clause 4.5.6): not kept.",
    "020_20": "Scope history with deletedAt in temporalValues (clause 4.5.6): not kept.",
    "456_01": "A scope set through the core API does not become a temporal Scope instance "
    "(clause 4.5.6).",
    "5734_01": "EntityMap (clauses 5.7.3.4, 5.7.4.4, NGSILD-EntityMap header) is not implemented.",
    "5714_01": "EntityMap on Retrieve Entity (clause 5.7.1.4) is not implemented.",
    "6311_01": "expiresAt (v1.9 system attribute, clause 6.3.11) is stored as an ordinary "
    "member and shown without options=sysAttrs.",
    "5722_01": "Query validation edges (clause 5.7.2.4): a query selecting only by system "
    "attributes (createdAt in attrs or q) is answered instead of refused, and csf is not "
    "checked.",
    "5741_01": "Temporal query validation edges (clause 5.7.4.4): system attributes alone and "
    "csf syntax are not checked.",
    "5744_01": "Values filter edges (clause 5.7.4.4): offsets in observedAt are accepted, "
    "negated existence (!attr) is not parsed, and q is checked against the latest instance "
    "of each dataset rather than every instance.",
    "5233_01": "EntitySelector id arrays and id-over-idPattern precedence in POSTed queries "
    "(clause 5.2.33) are not implemented.",
    "4516_01": "GeoJSON (clause 4.5.16): the default geometry of a multi-dataset GeoProperty "
    "and a non-geometry geometryProperty are not handled.",
    "4517_01": "Simplified GeoJSON with a dataset map (clause 4.5.17) is not handled.",
    "436_08": "Payload version negotiation (clause 4.3.6.8, Prefer: ngsi-ld=1.x and 203 "
    "answers) is not implemented.",
    "5731_01": "A linked-entity projection on Retrieve Temporal Evolution is not refused with "
    "BadRequestData (clause 5.7.3.4); citysim answers 404.",
}
"""Robot file stem -> why its failing tests fail."""


def cause_of(file: str) -> str:
    """The recorded cause for a robot file path, or a pointer to the per-test reason."""
    stem = file.rsplit("/", 1)[-1].removesuffix(".robot")
    return CAUSES.get(stem, "not analysed yet; see the per-test reason below")
