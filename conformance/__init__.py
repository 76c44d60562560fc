"""``make conformance``: the ETSI NGSI-LD test suite run against a citysim broker."""
