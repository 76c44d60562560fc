"""What a check found: its outcome for one city and the evidence behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["pass", "fail"]
EXCERPT_CHARS = 600
"""How much of an answer the report keeps."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation: the request made, what came back, and what was expected."""

    request: str
    response: str
    expected: str

    def as_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"request": self.request, "response": self.response, "expected": self.expected}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One check for one city: pass or fail, a one-line summary, and the evidence."""

    status: Status
    summary: str
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        """Whether the city meets the check."""
        return self.status == "pass"


def passed(summary: str, *evidence: Evidence) -> Outcome:
    """A passing outcome."""
    return Outcome("pass", summary, evidence)


def failed(summary: str, *evidence: Evidence) -> Outcome:
    """A failing outcome."""
    return Outcome("fail", summary, evidence)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying so when cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters in all)"
