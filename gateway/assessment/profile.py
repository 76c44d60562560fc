"""The profile: a versioned list of checks, each with its source, level and measure."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Level = Literal["must", "should"]
LEVELS: tuple[Level, ...] = ("must", "should")
REPOSITORY_PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "minimum-framework.yaml"
"""``profiles/minimum-framework.yaml`` at the repository's root."""
DEFAULT_PROFILE = Path(os.environ.get("CAAP_PROFILE") or REPOSITORY_PROFILE)
"""``$CAAP_PROFILE`` (the container's copy), else the repository's."""


class ProfileError(ValueError):
    """The profile file is wrong; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a check comes from: the standard (and clause) and a link."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One check of the profile."""

    id: str
    family: str
    title: str
    level: Level
    source: Source
    measure: str


@dataclass(frozen=True, slots=True)
class Profile:
    """The profile in force: its name, version, parameters and checks (in file order)."""

    name: str
    version: str
    title: str
    checks: tuple[CheckSpec, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def number(self, name: str) -> float:
        """A numeric parameter; ProfileError when absent or not a number."""
        value = self.parameters.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProfileError(f"profile parameter {name!r} must be a number, got {value!r}")
        return float(value)

    def names(self, name: str) -> tuple[str, ...]:
        """A list-of-strings parameter (empty when absent)."""
        value = self.parameters.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProfileError(f"profile parameter {name!r} must be a list of names")
        return tuple(value)

    def with_parameters(self, **values: Any) -> Profile:
        """The same profile with some parameters replaced (tests, one-off runs)."""
        return Profile(
            self.name, self.version, self.title, self.checks, {**self.parameters, **values}
        )


def load_profile(path: str | Path = DEFAULT_PROFILE) -> Profile:
    """Read and check the profile at ``path``."""
    where = Path(path)
    try:
        document = yaml.safe_load(where.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{where}: cannot read the profile: {exc}") from None
    if not isinstance(document, dict):
        raise ProfileError(f"{where}: a profile is a mapping")
    for key in ("profile", "version", "title", "checks"):
        if key not in document:
            raise ProfileError(f"{where}: {key}: missing")
    raw_checks = document["checks"]
    if not isinstance(raw_checks, list) or not raw_checks:
        raise ProfileError(f"{where}: checks: a non-empty list")
    checks = tuple(_check(where, i, raw) for i, raw in enumerate(raw_checks))
    seen: set[str] = set()
    for check in checks:
        if check.id in seen:
            raise ProfileError(f"{where}: checks: {check.id!r} appears twice")
        seen.add(check.id)
    parameters = document.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ProfileError(f"{where}: parameters: a mapping")
    return Profile(
        str(document["profile"]),
        str(document["version"]),
        str(document["title"]),
        checks,
        parameters,
    )


def _check(where: Path, index: int, raw: object) -> CheckSpec:
    at = f"{where}: checks[{index}]"
    if not isinstance(raw, dict):
        raise ProfileError(f"{at}: a mapping")
    for key in ("id", "family", "title", "level", "source", "measure"):
        if not raw.get(key):
            raise ProfileError(f"{at}.{key}: missing")
    if raw["level"] not in LEVELS:
        raise ProfileError(f"{at}.level: must or should, got {raw['level']!r}")
    source = raw["source"]
    if not isinstance(source, dict) or not source.get("name") or not source.get("url"):
        raise ProfileError(f"{at}.source: a mapping with name and url")
    return CheckSpec(
        id=str(raw["id"]),
        family=str(raw["family"]),
        title=str(raw["title"]),
        level=raw["level"],
        source=Source(str(source["name"]), str(source["url"])),
        measure=" ".join(str(raw["measure"]).split()),
    )
