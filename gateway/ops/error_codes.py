"""The ``errors[]`` codes of the response being answered, handed to the metrics as they are made.

``operations.observe`` opens a collection around each request (``collecting``);
the pipeline and the HTTP layer ``note`` the errors they put into the response;
the codes are then counted (``caap_graphql_errors_total``) without reading the
response body again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

NO_CODE = "NONE"
_codes: ContextVar[list[str] | None] = ContextVar("caap_error_codes", default=None)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """The codes noted inside the block (by this task and the tasks it starts)."""
    codes: list[str] = []
    token = _codes.set(codes)
    try:
        yield codes
    finally:
        _codes.reset(token)


def note(errors: Iterable[Mapping[str, Any]]) -> None:
    """Note the ``extensions.code`` of each error entry (``NONE`` when it has none); nothing
    when no collection is open."""
    codes = _codes.get()
    if codes is None:
        return
    for error in errors:
        extensions = error.get("extensions")
        code = extensions.get("code") if isinstance(extensions, Mapping) else None
        codes.append(code if isinstance(code, str) else NO_CODE)
