"""SensorThings MQTT extension (OGC 18-088 clause 14): each new Observation is published
on ``v1.1/Datastreams({id})/Observations`` as the Observation entity, the JSON a GET of
``/v1.1/Observations({id})`` answers (FROST publishes the same shape).
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from citysim.mqtt import MqttLink
from citysim.sensorthings.dialect import Dialect, as_istsos4
from citysim.sensorthings.graph import OBSERVATION_BASE, Graph, Station
from citysim.sensorthings.vocabulary import TYPES
from citysim.world.city import CityWorld, Entity

GARBAGE = b"\x00{not an Observation"
WATCHED = frozenset(TYPES)


def topic(datastream_id: int) -> str:
    """The topic a Datastream's new Observations are published on."""
    return f"v1.1/Datastreams({datastream_id})/Observations"


class ObservationPublisher:
    """Publishes one city's latest Observations of a changed type."""

    def __init__(
        self, world: CityWorld, link: MqttLink, base_url: str, dialect: Dialect = "frost"
    ) -> None:
        self.world = world
        self.link = link
        self.base_url = base_url
        self.dialect: Dialect = dialect
        """``istsos4``: times in whole seconds, as its HTTP answers have them."""

    def watched(self) -> frozenset[str]:
        """Every type the SensorThings server serves."""
        return WATCHED

    async def publish(self, type_name: str, entities: Sequence[Entity], garbage: bool) -> int:
        """One message per Datastream of ``type_name``'s Things; how many were sent."""
        graph = Graph(self.world, self.world.bucket())
        sent = 0
        for station in graph.stations():
            if station.entity_type != type_name:
                continue
            for q, datastream_id in enumerate(graph.datastream_ids(station)):
                payload = (
                    GARBAGE if garbage else self._observation(graph, station, q, datastream_id)
                )
                sent += await self.link.publish(topic(datastream_id), payload)
        return sent

    def _observation(self, graph: Graph, station: Station, q: int, datastream_id: int) -> bytes:
        observation_id = datastream_id * OBSERVATION_BASE + graph.bucket % OBSERVATION_BASE
        link = f"{self.base_url}/v1.1/Observations({observation_id})"
        body = {
            "@iot.id": observation_id,
            "@iot.selfLink": link,
            **graph.observation_properties(station, q, graph.bucket),
            "Datastream@iot.navigationLink": f"{link}/Datastream",
            "FeatureOfInterest@iot.navigationLink": f"{link}/FeatureOfInterest",
        }
        return orjson.dumps(as_istsos4(body, top=False) if self.dialect == "istsos4" else body)
