"""The caller of one request, as its access token describes it (or anonymous)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. ``subject`` and ``client_id`` None means anonymous (no token)."""

    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()
    expires_at: float | None = field(default=None, compare=False)
    """When the token expires (Unix seconds, its ``exp``): a live subscription ends then."""

    @property
    def anonymous(self) -> bool:
        """True for a request without a token."""
        return self.subject is None and self.client_id is None

    @property
    def subject_hash(self) -> str | None:
        """SHA-256 of the subject (hex): who, for logs, without the identifier itself."""
        if self.subject is None:
            return None
        return hashlib.sha256(self.subject.encode("utf-8")).hexdigest()


ANONYMOUS = Principal()
