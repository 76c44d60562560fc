"""The adapter conformance kit: one suite of checks, run against every adapter.

``AdapterConformance`` (``suite``) is subclassed by a city's tests with its adapter
class, its config for a URL, and a running platform with known data
(``Platform``, ``platform``). ``BadUpstream`` (``upstream``) is the kit's own
loopback server that misbehaves on purpose. See docs/writing-an-adapter.md.
"""

from adapters.testing.platform import Platform, differences
from adapters.testing.suite import AdapterConformance
from adapters.testing.upstream import MODES, BadUpstream, closed_port_url

__all__ = [
    "MODES",
    "AdapterConformance",
    "BadUpstream",
    "Platform",
    "closed_port_url",
    "differences",
]
