"""How a broker's dialect changes what its answers mean.

diwise's context broker answers 404 ResourceNotFound both for what does not
exist and for what its authorisation refuses (github.com/diwise/context-broker,
``mapCIMToNGSILDError``), so a 404 there may well mean "not allowed".
"""

from __future__ import annotations

from adapters.errors import UpstreamError


def dialect_error(error: UpstreamError, dialect: str) -> UpstreamError:
    """``error``, reworded where the dialect gives its status another meaning."""
    if dialect == "diwise" and error.status == 404:
        return UpstreamError(
            f"{error} (diwise answers 404 also when the gateway's credentials may not read "
            "this type or tenant)",
            status=404,
        )
    return error
