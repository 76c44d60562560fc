"""The federation file: typed model, loader and validation.

``load_federation(path, registry)`` returns a ``Federation`` or raises a
``FederationError`` whose ``problems`` list everything wrong with the file.
"""

from gateway.federation.errors import FederationError, Problem
from gateway.federation.loader import load_federation, parse_federation
from gateway.federation.model import (
    Access,
    AdapterSpec,
    AuthConfig,
    CityConfig,
    DatasetConfig,
    Federation,
    GatewayOptions,
)

__all__ = [
    "Access",
    "AdapterSpec",
    "AuthConfig",
    "CityConfig",
    "DatasetConfig",
    "Federation",
    "FederationError",
    "GatewayOptions",
    "Problem",
    "load_federation",
    "parse_federation",
]
