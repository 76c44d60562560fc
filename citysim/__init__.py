"""Simulated municipal platforms speaking the real protocols over real HTTP.

Every city of ``data/municipalities.csv`` runs an NGSI-LD broker (ETSI GS CIM 009)
on its own loopback port, serving Smart Data Models entities whose values are a
pure function of (seed, city, entity, time bucket). A control API makes cities
misbehave. Public surface:

- ``SimSettings`` (``citysim.settings``): seed, size, ports, latency, clock.
- ``SimCluster`` / ``SimThread`` (``citysim.cluster``): run the cities.
- ``python -m citysim``: the same from a shell (``citysim.__main__``).

citysim stands for the outside world: it imports neither ``gateway`` nor ``adapters``.
"""

from citysim.cluster import SimCluster, SimThread
from citysim.settings import SimSettings

__all__ = ["SimCluster", "SimSettings", "SimThread"]
