"""Orion-LD (FIWARE/context.Orion-LD): DateTime values and ``q``.

- A DateTime Property is stored and answered typed, ``{"@type": "DateTime", "@value":
  ...}`` (as citysim's world always writes it).
- ``q`` compares plain JSON values: its functional tests (``test/functionalTest/cases/
  0000_ngsild/ngsild_q*.test``) compare strings and numbers only, so a comparison with a
  typed literal (``dateObserved>=2026-...``) matches nothing; existence (``q=dateObserved``)
  still does. Clients filter such times themselves (an adapter with
  ``time_property: null`` and the normalized form uses ``observedAt``). citysim:
  ``Broker.typed_q`` is False for this dialect.
"""

from __future__ import annotations

from citysim.ngsi_ld.dialects import Rules

RULES = Rules()
