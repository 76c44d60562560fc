"""Developer tools that are not part of the gateway: ``python -m tools.etsi`` (the ETSI suite)."""
