"""The datasets a simulated city lists in its open-data catalogue (DCAT-AP-SE and CKAN alike).

Every city lists one dataset per entity type its platforms publish (with
distributions pointing at its NGSI-LD and REST/JSON APIs) and a few of the
usual municipal datasets, chosen per city by its dice. The same records back
the DCAT-AP-SE documents and the CKAN action API, so both tell the same story.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from citysim.municipalities import Municipality
from citysim.world.dice import Dice

CC_BY = "http://creativecommons.org/licenses/by/4.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
THEMES = "http://publications.europa.eu/resource/authority/data-theme/"
_NAMESPACE = uuid.UUID("5b0c6a3e-2f44-4b8e-9d0e-6f1c2a7d9b10")


@dataclass(frozen=True, slots=True)
class Distribution:
    """One way to get a dataset; ``path`` is relative to the city's base URL (or absolute)."""

    title: str
    path: str
    media_type: str


@dataclass(frozen=True, slots=True)
class Record:
    """One dataset of a catalogue."""

    slug: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str
    modified: str
    """ISO 8601 date."""
    license: str
    distributions: tuple[Distribution, ...]

    def uuid(self, city: Municipality) -> str:
        """A stable UUID for CKAN's ``id``."""
        return str(uuid.uuid5(_NAMESPACE, f"{city.id}/{self.slug}"))


_LIVE: tuple[tuple[str, str, str, str, str, tuple[str, ...], str], ...] = (
    ("WeatherObserved", "weather", "vaderobservationer", "Väderobservationer",
     "Temperatur, luftfuktighet, lufttryck, vind och nederbörd från kommunens väderstationer.",
     ("väder", "temperatur", "vind", "nederbörd"), "ENVI"),
    ("AirQualityObserved", "airquality", "luftkvalitet", "Luftkvalitet",
     "Halter av kvävedioxid, partiklar (PM10, PM2.5) och ozon från kommunens mätstationer.",
     ("luftkvalitet", "miljö", "partiklar", "kvävedioxid"), "ENVI"),
    ("WaterQualityObserved", "waterquality", "vattenkvalitet", "Vattenkvalitet",
     "Badvattentemperatur och vattenkvalitet vid kommunens badplatser.",
     ("vattenkvalitet", "badvatten", "temperatur"), "ENVI"),
    ("Beach", "beaches", "badplatser", "Badplatser",
     "Kommunens badplatser med läge, faciliteter och beläggning.",
     ("badplatser", "friluftsliv", "turism"), "EDUC"),
    ("TrafficFlowObserved", "trafficflow", "trafikfloden", "Trafikflöden",
     "Fordonsflöden och medelhastigheter från kommunens trafikräknare.",
     ("trafik", "fordon", "mobilitet"), "TRAN"),
    ("Device", "devices", "sensorer", "Sensorer",
     "Sensorer och mätutrustning i kommunens IoT-plattform.",
     ("sensorer", "iot", "enheter"), "TECH"),
    ("WaterConsumptionObserved", "waterconsumption", "vattenforbrukning", "Vattenförbrukning",
     "Avläsningar från smarta vattenmätare (kräver behörighet).",
     ("vatten", "förbrukning", "vattenmätare"), "ENER"),
)  # fmt: skip

_STATIC: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    ("detaljplaner", "Detaljplaner", "Gällande detaljplaner med plangränser.",
     ("detaljplan", "planering", "geodata"), "REGI", "application/geo+json"),
    ("parkering", "Parkeringsplatser", "Allmänna parkeringsplatser, avgifter och tider.",
     ("parkering", "trafik"), "TRAN", "application/json"),
    ("atervinning", "Återvinningsstationer", "Återvinningsstationer och vad som kan lämnas.",
     ("återvinning", "avfall", "miljö"), "ENVI", "text/csv"),
    ("forskolor", "Förskolor", "Kommunala och fristående förskolor med adress.",
     ("förskola", "utbildning"), "EDUC", "text/csv"),
    ("lekplatser", "Lekplatser", "Lekplatser i parker och bostadsområden.",
     ("lekplats", "friluftsliv", "barn"), "EDUC", "application/geo+json"),
    ("cykelvagar", "Cykelvägar", "Kommunens cykelvägnät.",
     ("cykel", "trafik", "geodata"), "TRAN", "application/geo+json"),
    ("budget", "Kommunens budget", "Budget och utfall per verksamhet.",
     ("ekonomi", "budget"), "GOVE", "text/csv"),
)  # fmt: skip


@functools.cache
def records(city: Municipality, seed: int = 0) -> tuple[Record, ...]:
    """The datasets of ``city``'s catalogue, ordered by slug."""
    dice = Dice(seed, city.id, "catalogue")
    found: list[Record] = []
    for type_name, resource, slug, title, text, words, theme in _LIVE:
        found.append(
            Record(
                slug=slug,
                title=f"{title} i {city.name}",
                description=text,
                keywords=words,
                theme=THEMES + theme,
                modified=_date(dice),
                license=CC0,
                distributions=(
                    Distribution(
                        f"{title} (NGSI-LD)",
                        f"/ngsi-ld/v1/entities?type={type_name}",
                        "application/ld+json",
                    ),
                    Distribution(f"{title} (REST/JSON)", f"/api/{resource}", "application/json"),
                ),
            )
        )
    for slug, title, text, words, theme, media in dice.sample(_STATIC, 3, len(_STATIC)):
        found.append(
            Record(
                slug=slug,
                title=f"{title} i {city.name}",
                description=text,
                keywords=tuple(words),
                theme=THEMES + theme,
                modified=_date(dice),
                license=CC_BY,
                distributions=(Distribution(title, f"/files/{slug}.{_suffix(media)}", media),),
            )
        )
    return tuple(sorted(found, key=lambda r: r.slug))


def matches(record: Record, search: str | None) -> bool:
    """Every word of ``search`` occurs, case-insensitively, in title, description or keywords."""
    if search is None:
        return True
    text = " ".join((record.title, record.description, *record.keywords)).casefold()
    return all(word in text for word in search.casefold().split())


def _date(dice: Dice) -> str:
    return f"2026-{dice.integer(1, 10):02d}-{dice.integer(1, 28):02d}"


def _suffix(media: str) -> str:
    return {"text/csv": "csv", "application/geo+json": "geojson"}.get(media, "json")
