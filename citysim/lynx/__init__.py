"""A simulated IoT Open Lynx installation for each city: devices, functions, status, log.

The same stations and values as the city's NGSI-LD broker (``model.py``), behind
the Lynx REST API with an API key (``app.py``), on the city's port under ``/api``.
"""

from citysim.lynx.app import DEMO_API_KEY, mount

__all__ = ["DEMO_API_KEY", "mount"]
