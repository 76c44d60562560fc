"""The OGC SensorThings API 1.1 adapter: Things and their latest Observations as entities.

Modules: ``config`` (the adapter section and the per-type property mapping),
``query`` (SourceQuery -> ``$filter``/``$expand``), ``pages`` (collections and next
links), ``mapping`` (Thing -> SourceEntity, units converted), ``history`` (a time
window of Observations), ``area`` (the geo push-down on Locations), ``pushdown``
(push-downs a server rejected, dropped per city), ``adapter`` (``SensorThingsAdapter``).
"""

from adapters.sensorthings.adapter import SensorThingsAdapter
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping

__all__ = ["SensorThingsAdapter", "SensorThingsConfig", "TypeMapping"]
