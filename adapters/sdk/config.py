"""Typed adapter configuration: declare a frozen dataclass, get it checked at load.

::

    @dataclass(frozen=True)
    class MyConfig:
        url: URL                                     # an absolute http(s) URL
        api_key: Secret                              # never shown in repr or messages
        page_size: Annotated[int, Between(1, 1000)] = 100
        types: Mapping[str, TypeMapping] = field(default_factory=dict)

    config = parse_config(MyConfig, options, kind="my-kind")

Field names are the keys of the adapter section. Supported annotations: ``str``,
``int``, ``float``, ``bool``, ``Secret``, ``yarl.URL``, ``Literal[...]``,
``X | None``, ``Mapping[str, X]``, ``tuple[X, ...]``, nested dataclasses, ``Any``,
and ``Annotated[X, Between(...) | Matches(...)]``. Every problem is a
``ConfigError`` whose ``key`` is the dotted path (``types.WeatherObserved.unit``);
unknown keys are refused with the list of allowed ones.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from yarl import URL

from adapters.errors import ConfigError

T = TypeVar("T")


class Secret(str):
    """A string that is a secret (an API key): ``repr`` shows ``'***'``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"


@dataclass(frozen=True, slots=True)
class Between:
    """``Annotated`` constraint: a number in ``[low, high]`` (either bound optional)."""

    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Matches:
    """``Annotated`` constraint: a string matching ``pattern`` (whole string), ``what`` it is."""

    pattern: str
    what: str


def parse_config(cls: type[T], options: object, *, kind: str | None = None) -> T:
    """``options`` (an adapter section) checked against dataclass ``cls``.

    A ``kind`` key equal to ``kind`` is accepted and dropped (the registry strips it,
    but a city may pass the whole section).
    """
    if not isinstance(options, Mapping):
        raise ConfigError("", "the adapter section must be a mapping")
    if kind is not None and "kind" in options:
        if options["kind"] != kind:
            raise ConfigError("kind", f"must be {kind!r} for this adapter")
        options = {k: v for k, v in options.items() if k != "kind"}
    return typing.cast(T, _dataclass(cls, options, ""))


def _dataclass(cls: type[Any], value: object, key: str) -> Any:
    if not isinstance(value, Mapping):
        raise ConfigError(key, "must be a mapping")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(str(k) for k in value if k not in fields)
    if unknown:
        allowed = ", ".join(fields) or "none"
        raise ConfigError(_join(key, unknown[0]), f"unknown key; allowed keys are: {allowed}")
    hints = typing.get_type_hints(cls, include_extras=True)
    kwargs: dict[str, Any] = {}
    for name, spec in fields.items():
        if name in value:
            kwargs[name] = _value(hints[name], value[name], _join(key, name))
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ConfigError(_join(key, name), "is required")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:  # __post_init__ checks across fields
        raise ConfigError(key, str(exc)) from None


def _value(hint: Any, value: object, key: str) -> Any:
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *constraints = get_args(hint)
        checked = _value(inner, value, key)
        for constraint in constraints:
            _constrain(constraint, checked, key)
        return checked
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        rest = [o for o in options if o is not type(None)]
        if len(rest) == 1:
            return _value(rest[0], value, key)
        raise TypeError(f"unsupported config annotation {hint!r}")
    if origin is Literal:
        allowed = get_args(hint)
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            raise ConfigError(key, f"must be one of {', '.join(map(repr, allowed))}")
        return value
    if origin in (Mapping, dict, MappingProxyType) or hint in (Mapping, dict):
        return _mapping(hint, value, key)
    if origin is tuple:
        return _tuple(hint, value, key)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass(hint, value, key)
    return _scalar(hint, value, key)


def _mapping(hint: Any, value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, "must be a mapping")
    args = get_args(hint)
    item = args[1] if len(args) == 2 else Any
    out: dict[str, Any] = {}
    for name, inner in value.items():
        if not isinstance(name, str) or not name:
            raise ConfigError(key, f"keys must be non-empty strings, got {name!r}")
        out[name] = _value(item, inner, _join(key, name))
    return MappingProxyType(out)


def _tuple(hint: Any, value: object, key: str) -> tuple[Any, ...]:
    args = get_args(hint)
    if len(args) != 2 or args[1] is not Ellipsis:
        raise TypeError(f"only tuple[X, ...] is supported in configs, got {hint!r}")
    if not isinstance(value, list | tuple):
        raise ConfigError(key, "must be a list")
    return tuple(_value(args[0], v, f"{key}[{i}]") for i, v in enumerate(value))


def _scalar(hint: Any, value: object, key: str) -> Any:
    if hint is Any:
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(key, "must be true or false")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(key, "must be an integer")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(key, "must be a number")
        if not math.isfinite(value):
            raise ConfigError(key, "must be a finite number")
        return float(value)
    if hint is Secret:
        if not isinstance(value, str) or not value:
            raise ConfigError(key, "must be a non-empty string (use a ${ENV_VAR} reference)")
        return Secret(value)
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key, "must be a non-empty string")
        return value
    if hint is URL:
        return http_url(value, key)
    raise TypeError(f"unsupported config annotation {hint!r}")


def http_url(
    value: object, key: str, *, credentials_hint: str = "use the adapter's secret options"
) -> URL:
    """An absolute http(s) URL with a host, no credentials, no fragment.

    ``credentials_hint`` ends the message for a URL with user info: where the
    adapter takes credentials instead.
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, "must be an http(s) URL string")
    try:
        url = URL(value.strip())
    except ValueError:
        raise ConfigError(key, "is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(key, "must be an absolute http:// or https:// URL with a host")
    if url.user is not None or url.password is not None:
        raise ConfigError(key, f"must not contain credentials; {credentials_hint}")
    if url.fragment:
        raise ConfigError(key, "must not have a fragment")
    return url


def _constrain(constraint: object, value: Any, key: str) -> None:
    if value is None:
        return
    if isinstance(constraint, Between):
        low, high = constraint.low, constraint.high
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{_num(low) if low is not None else '-inf'} to "
            span += _num(high) if high is not None else "inf"
            raise ConfigError(key, f"must be from {span} (got {value})")
    elif isinstance(constraint, Matches) and (
        not isinstance(value, str) or re.fullmatch(constraint.pattern, value) is None
    ):
        raise ConfigError(key, f"must be {constraint.what}")


def _num(number: float) -> str:
    return f"{number:g}"


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
