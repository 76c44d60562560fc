"""The ASGI entry point for uvicorn workers: settings from the environment."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.process.settings import Settings


def app_factory() -> Starlette:
    """Build the app from ``CAAP_*`` (uvicorn ``--factory``)."""
    return create_app(Settings.from_env(), server=True)
