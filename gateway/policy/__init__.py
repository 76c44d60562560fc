"""Stage 3 of a request: policy. Who (auth/principal.py) may see what, before and after fan-out.

::

    decisions.py   caller x city x dataset -> Decision (grants, policy classes)
    pushdown.py    before fan-out: what a grant's rules change in the question sent to a city
    redaction.py   after fan-out: row filters, redaction, coarsening (query/filtering.py then
                   applies the caller's filters)
    row_filter.py  a policy's ``where``, evaluated on an entity's own values
    grid.py        coarse locations: a point snapped to the centre of its grid cell
    dataset_redaction.py  a history's datasets (NGSI-LD datasetId) redacted as its default series
    wording.py     policies in words: what a grant asks of a caller, what its rules do
    audit.py       the audit log: one JSON line per access decision, never a token
    audit_trail.py one request's decisions, on its context: written, and kept for the cache
"""
