"""The adapter conformance kit: one suite of checks, run against every adapter.

``AdapterConformance`` (``suite``) is subclassed by a city's tests with its adapter
class, its config for a URL, and a running platform with known data
(``Platform``, ``platform``). ``CatalogueConformance`` (``catalogue_suite``) does the
same for a catalogue adapter, with a ``Catalogue`` of known datasets (``catalogue``).
``BadUpstream`` (``upstream``) is the kit's own loopback server that misbehaves on
purpose. See docs/writing-an-adapter.md.
"""

from adapters.testing.catalogue import Catalogue, dataset_differences
from adapters.testing.catalogue_suite import CatalogueConformance
from adapters.testing.platform import Platform, differences
from adapters.testing.suite import AdapterConformance
from adapters.testing.upstream import MODES, BadUpstream, closed_port_url

__all__ = [
    "MODES",
    "AdapterConformance",
    "BadUpstream",
    "Catalogue",
    "CatalogueConformance",
    "Platform",
    "closed_port_url",
    "dataset_differences",
    "differences",
]
