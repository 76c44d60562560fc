"""Car parks and points of interest: free spots follow the day, names and addresses stay."""

from __future__ import annotations

from datetime import UTC, datetime

from citysim.municipalities import municipalities
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld, Entity

MALMO = next(m for m in municipalities() if m.id == "malmo")


def at(hour_utc: int, type_name: str) -> list[Entity]:
    """Malmö's entities of ``type_name`` on a weekday in March at ``hour_utc``."""
    now = datetime(2026, 3, 11, hour_utc, tzinfo=UTC).timestamp()
    place = CityWorld(MALMO, seed=3, per_type=12, bucket_s=60.0, clock=lambda: now)
    return list(place.entities(BY_TYPE[type_name], place.bucket()))


def test_car_parks_count_their_spots_and_fill_up_by_day() -> None:
    night, noon = at(1, "OffStreetParking"), at(11, "OffStreetParking")
    for park in (*night, *noon):
        v = park.values
        assert v["availableSpotNumber"] + v["occupiedSpotNumber"] == v["totalSpotNumber"]
        assert 0 <= v["availableSpotNumber"] <= v["totalSpotNumber"]
        assert v["occupancy"] == round(v["occupiedSpotNumber"] / v["totalSpotNumber"], 2)
        assert v["address"]["addressLocality"] == "Malmö"
    free = (
        [p.values["availableSpotNumber"] for p in night],
        [p.values["availableSpotNumber"] for p in noon],
    )
    assert sum(free[1]) < sum(free[0]), "fewer free spots at noon than at night"
    assert [p.values["name"] for p in night] == [p.values["name"] for p in noon]


def test_points_of_interest_keep_name_address_and_capacity() -> None:
    morning, afternoon = at(9, "PointOfInterest"), at(14, "PointOfInterest")
    for before, after in zip(morning, afternoon, strict=True):
        for key in ("name", "address", "category", "capacity", "description", "source"):
            assert before.values[key] == after.values[key], key
        assert before.values["address"]["streetAddress"]
        assert 0 <= after.values["occupancy"] <= after.values["capacity"]
    assert len({p.values["name"] for p in morning}) == len(morning)
