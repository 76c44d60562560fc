"""The GraphiQL page: static HTML linking the assets under ``/graphiql/assets/``."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from gateway.http.graphiql.assets import NOT_INSTALLED, assets_installed

log = logging.getLogger("caap.http")

PAGE = Path(__file__).resolve().parent / "page.html"


@functools.cache
def graphiql_page() -> str:
    """The page's HTML (read once); a warning is logged when the assets are missing."""
    if not assets_installed():
        log.warning(NOT_INSTALLED)
    return PAGE.read_text(encoding="utf-8")
