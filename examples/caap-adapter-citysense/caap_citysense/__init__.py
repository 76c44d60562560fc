"""An example third-party adapter for caap-gateway: the CitySense station API.

CitySense is a made-up vendor API of the kind cities buy with their sensors:
``GET /api/v1/stations?kind=weather&page=1&per_page=50`` answers
``{"stations": [...], "next_page": 2 | null}``; each station gives ``code``,
``lat``, ``lng``, ``measured`` (local time with its offset) and ``readings``
in US units (``temp_f``, ``rh_pct``, ``wind_kmh``). The adapter maps them onto
WeatherObserved with the caap SDK (``adapters.sdk``) and is checked with the
conformance kit (``adapters.testing``). See ``tests/test_conformance.py``.
"""

from caap_citysense.adapter import CitySenseAdapter, CitySenseConfig

__all__ = ["CitySenseAdapter", "CitySenseConfig"]
