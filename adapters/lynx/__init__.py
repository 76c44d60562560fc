"""The IoT Open Lynx adapter: an installation's devices as entities, its functions as attributes.

Modules: ``config`` (the adapter section; the API key is a secret),
``installation`` (devices and functions grouped per entity type), ``adapter``
(``LynxAdapter``: latest status values), ``history`` (the log, for history).
"""

from adapters.lynx.adapter import LynxAdapter
from adapters.lynx.config import DeviceMapping, LynxConfig

__all__ = ["DeviceMapping", "LynxAdapter", "LynxConfig"]
