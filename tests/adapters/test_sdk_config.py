"""Typed adapter configs from dataclasses: values checked, keys named, secrets hidden."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pytest
from yarl import URL

from adapters.errors import ConfigError
from adapters.sdk.config import Between, Matches, Secret, parse_config


@dataclass(frozen=True)
class Column:
    name: Annotated[str, Matches(r"[a-z]+", "lower-case letters")]
    unit: str | None = None


@dataclass(frozen=True)
class Example:
    url: URL
    token: Secret
    page_size: Annotated[int, Between(1, 100)] = 10
    ratio: float = 0.5
    verbose: bool = False
    mode: Literal["fast", "slow"] = "fast"
    columns: Mapping[str, Column] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    extra: Any = None


GOOD: dict[str, Any] = {
    "url": "https://platform.example.se/api",
    "token": "s3cr3t",
    "page_size": 50,
    "ratio": 1,
    "verbose": True,
    "mode": "slow",
    "columns": {"temp": {"name": "temperature", "unit": "°C"}},
    "tags": ["a", "b"],
    "extra": {"anything": [1, 2]},
}


def test_a_good_section_comes_back_typed() -> None:
    config = parse_config(Example, GOOD)
    assert config.url == URL("https://platform.example.se/api")
    assert (config.page_size, config.ratio, config.verbose, config.mode) == (50, 1.0, True, "slow")
    assert config.columns["temp"] == Column("temperature", "°C")
    assert config.tags == ("a", "b")
    assert isinstance(config.token, Secret)
    assert "s3cr3t" not in repr(config)


def test_defaults_fill_what_is_absent_and_kind_is_accepted() -> None:
    config = parse_config(Example, {"kind": "x", "url": "http://h", "token": "t"}, kind="x")
    assert (config.page_size, config.mode, config.columns, config.tags) == (10, "fast", {}, ())


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"bogus": 1}, "bogus", "unknown key; allowed keys are: url, token"),
        ({"columns": {"t": {"name": "x", "colour": 1}}}, "columns.t.colour", "unknown key"),
        ({"url": None}, "url", "http(s) URL"),
        ({"url": "ftp://h/x"}, "url", "http:// or https://"),
        ({"url": "https://user:pw@h/x"}, "url", "credentials"),
        ({"token": ""}, "token", "non-empty"),
        ({"page_size": 0}, "page_size", "from 1 to 100 (got 0)"),
        ({"page_size": True}, "page_size", "integer"),
        ({"ratio": "1"}, "ratio", "number"),
        ({"verbose": "yes"}, "verbose", "true or false"),
        ({"mode": "medium"}, "mode", "one of 'fast', 'slow'"),
        ({"columns": {"t": {"name": "Temp"}}}, "columns.t.name", "lower-case letters"),
        ({"columns": {"t": {}}}, "columns.t.name", "is required"),
        ({"tags": "a"}, "tags", "list"),
        ({"tags": ["a", 3]}, "tags[1]", "non-empty string"),
        ({"kind": "other"}, "kind", "must be 'x'"),
    ],
)
def test_every_problem_names_its_key(change: dict[str, Any], key: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(Example, {**GOOD, **change}, kind="x")
    assert info.value.key == key
    assert words in info.value.message
    assert "s3cr3t" not in str(info.value)


def test_a_missing_required_key_and_a_non_mapping_are_refused() -> None:
    with pytest.raises(ConfigError, match="token: is required"):
        parse_config(Example, {"url": "http://h"})
    with pytest.raises(ConfigError, match="must be a mapping"):
        parse_config(Example, ["url"])
