"""The federation file: typed model, loader and validation.

``load_federation(path, registry)`` returns a ``Federation`` or raises a
``FederationError`` whose ``problems`` list everything wrong with the file.
"""

from gateway.federation.errors import FederationError, Problem
from gateway.federation.loader import load_federation, parse_federation
from gateway.federation.model import (
    Access,
    AdapterSpec,
    Audience,
    AuditConfig,
    AuthConfig,
    CityConfig,
    DatasetConfig,
    Federation,
    GatewayOptions,
    Grant,
    IntrospectionConfig,
    RowFilter,
    Rules,
)

__all__ = [
    "Access",
    "AdapterSpec",
    "Audience",
    "AuditConfig",
    "AuthConfig",
    "CityConfig",
    "DatasetConfig",
    "Federation",
    "FederationError",
    "GatewayOptions",
    "Grant",
    "IntrospectionConfig",
    "Problem",
    "RowFilter",
    "Rules",
    "load_federation",
    "parse_federation",
]
