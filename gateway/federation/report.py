"""Collects the problems of one federation file, in file order, with secrets hidden."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gateway.federation.errors import FederationError, Problem

_HIDDEN = "***"
_MIN_SECRET_LENGTH = 4
"""Shorter values are not hidden: they would blank out ordinary words and numbers."""


class Report:
    """Every problem found in ``source``; raises them all at once."""

    def __init__(self, source: str, lines: Mapping[str, int] | None = None) -> None:
        self.source = source
        self._lines = lines or {}
        self._problems: list[tuple[int, int, Problem]] = []
        self._secrets: list[str] = []

    def hide(self, values: Iterable[str]) -> None:
        """Never let any of ``values`` (taken from the environment) appear in a message."""
        found = {value for value in values if len(value) >= _MIN_SECRET_LENGTH}
        self._secrets = sorted(found | set(self._secrets), key=len, reverse=True)

    def add(self, key: str, message: str, *, line: int | None = None) -> None:
        """Record that ``key`` (a dotted path; empty for the whole file) is wrong.

        ``line`` places the problem in file order; by default the line of ``key``.
        """
        for secret in self._secrets:
            message = message.replace(secret, _HIDDEN)
        problem = Problem(self.source, key, message)
        where = self._line_of(key) if line is None else line
        self._problems.append((where, len(self._problems), problem))

    @property
    def problems(self) -> list[Problem]:
        """The problems so far, sorted by the line of their key (then as found)."""
        return [problem for _, _, problem in sorted(self._problems, key=lambda p: p[:2])]

    def raise_if_any(self) -> None:
        """Raise FederationError with every problem, if there is one."""
        if self._problems:
            raise FederationError(self.problems)

    def _line_of(self, key: str) -> int:
        """The line of ``key`` or of its nearest ancestor present in the file (a missing key)."""
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[: key.rindex("[")] if key.endswith("]") else key.rpartition(".")[0]
        return 0
