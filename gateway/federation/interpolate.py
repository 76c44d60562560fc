"""``${VAR}`` references in string values, resolved from the environment.

``${VAR}`` is the variable's value and an error when it is unset; ``${VAR:-default}``
falls back to ``default`` when the variable is unset or empty; ``$${`` is a literal
``${``. Only string values are interpolated (never keys), and the result stays a
string. Values taken from the environment are remembered so that messages can
hide them: they may be secrets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

_REFERENCE = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)(?P<close>\}?)")
_BODY = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?", re.DOTALL)


class InterpolationError(ValueError):
    """A reference that cannot be resolved; the message names the variable, never a value."""


class _Unresolved:
    """Stands for a string whose interpolation failed (already reported)."""

    def __repr__(self) -> str:
        return "UNRESOLVED"


UNRESOLVED: Final = _Unresolved()


class Interpolator:
    """Resolves references against ``env``; ``secrets`` collects every value taken from it."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.secrets: set[str] = set()

    def resolve(self, text: str) -> str:
        """``text`` with its references replaced; raises InterpolationError."""
        errors: list[str] = []

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$${":
                return "${"
            body = match.group("body")
            if not match.group("close"):
                errors.append("unterminated ${ (write $${ for a literal ${)")
                return ""
            return self._lookup(body, errors)

        result = _REFERENCE.sub(replace, text)
        if errors:
            raise InterpolationError("; ".join(errors))
        return result

    def resolve_tree(self, value: object, key: str, on_error: Callable[[str, str], None]) -> object:
        """A copy of ``value`` with every string resolved; a failing one becomes UNRESOLVED.

        ``on_error(dotted_key, message)`` is called for each failure. Objects shared
        through YAML aliases are resolved once.
        """
        memo: dict[int, object] = {}

        def walk(node: object, path: str) -> object:
            if id(node) in memo:
                return memo[id(node)]
            result: object
            if isinstance(node, str):
                try:
                    return self.resolve(node)
                except InterpolationError as exc:
                    on_error(path, str(exc))
                    return UNRESOLVED
            elif isinstance(node, dict):
                result = {k: walk(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()}
            elif isinstance(node, list):
                result = [walk(v, f"{path}[{i}]") for i, v in enumerate(node)]
            else:
                return node
            memo[id(node)] = result
            return result

        return walk(value, key)

    def _lookup(self, body: str, errors: list[str]) -> str:
        parsed = _BODY.fullmatch(body)
        if parsed is None or "${" in body:
            errors.append(f"invalid reference ${{{body}}} (use ${{NAME}} or ${{NAME:-default}})")
            return ""
        name, default = parsed.group("name"), parsed.group("default")
        value = self._env.get(name)
        if value is not None and (value or default is None):
            self.secrets.add(value)
            return value
        if default is not None:
            return default
        errors.append(f"environment variable {name} is not set (give a default: ${{{name}:-...}})")
        return ""
