"""The NGSI-LD API (ETSI GS CIM 009) of one simulated city: query and retrieve entities."""
