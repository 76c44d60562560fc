"""``make conformance`` (``python -m tools.etsi``): the ETSI NGSI-LD test suite against citysim."""
