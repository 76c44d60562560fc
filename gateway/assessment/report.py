"""The assessment's result: every city against every check of the profile, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.assessment.evidence import Outcome
from gateway.assessment.profile import CheckSpec, Profile


@dataclass(frozen=True, slots=True)
class CityResult:
    """One city's outcomes, by check id (in the profile's order)."""

    id: str
    name: str
    kommunkod: str
    kind: str
    outcomes: Mapping[str, Outcome]

    def failed(self, level: str | None = None, profile: Profile | None = None) -> list[str]:
        """Ids of the checks the city fails (of ``level`` only, when given with ``profile``)."""
        levels = {c.id: c.level for c in profile.checks} if profile is not None else {}
        return [
            check_id
            for check_id, outcome in self.outcomes.items()
            if not outcome.passed and (level is None or levels.get(check_id) == level)
        ]


@dataclass(frozen=True, slots=True)
class Report:
    """The profile measured, when, and the result of every city."""

    profile: Profile
    generated_at: datetime
    cities: tuple[CityResult, ...]

    @property
    def checks(self) -> tuple[CheckSpec, ...]:
        """The profile's checks, in order."""
        return self.profile.checks

    def must_failures(self) -> list[tuple[str, str]]:
        """(city id, check id) of every failed must-check."""
        return [(c.id, check) for c in self.cities for check in c.failed("must", self.profile)]

    def exit_status(self) -> int:
        """0 when every city meets every must-check, else 1."""
        return 1 if self.must_failures() else 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``/assessment.json``, ``caap assess --format json``)."""
        return {
            "profile": {
                "name": self.profile.name,
                "version": self.profile.version,
                "title": self.profile.title,
                "parameters": dict(self.profile.parameters),
            },
            "generatedAt": self.generated_at.isoformat(),
            "checks": [
                {
                    "id": c.id,
                    "family": c.family,
                    "title": c.title,
                    "level": c.level,
                    "source": {"name": c.source.name, "url": c.source.url},
                    "measure": c.measure,
                }
                for c in self.checks
            ],
            "cities": [
                {
                    "id": city.id,
                    "name": city.name,
                    "kommunkod": city.kommunkod,
                    "platform": city.kind,
                    "meetsMust": not city.failed("must", self.profile),
                    "passed": sum(1 for o in city.outcomes.values() if o.passed),
                    "results": {
                        check_id: {
                            "status": outcome.status,
                            "summary": outcome.summary,
                            "evidence": [e.as_dict() for e in outcome.evidence],
                        }
                        for check_id, outcome in city.outcomes.items()
                    },
                }
                for city in self.cities
            ],
        }
