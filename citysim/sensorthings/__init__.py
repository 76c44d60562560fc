"""A simulated OGC SensorThings API 1.1 server (Sensing, read-only) for each city.

Things, Locations, HistoricalLocations, Datastreams, Sensors, ObservedProperties,
Observations and FeaturesOfInterest built from the city's world (``graph.py``),
the same stations and values as its NGSI-LD broker, with a history of
Observations. Mounted under ``/v1.1`` on the city's port (``app.mount``).
"""

from citysim.sensorthings.app import mount
from citysim.sensorthings.dialect import DIALECTS, Dialect, dialect_for_city

__all__ = ["DIALECTS", "Dialect", "dialect_for_city", "mount"]
