"""The rest-json adapter: a city's bespoke JSON API joins through a declarative mapping.

Modules: ``expressions`` (field expressions and templates), ``config`` (the adapter
section, validated and compiled), ``paging`` (offset, page number, Link header,
next URL in the body), ``mapping`` (item -> SourceEntity), ``adapter``
(``RestJsonAdapter``; HTTP through ``adapters.sdk.PlatformClient``).
"""

from adapters.rest_json.adapter import RestJsonAdapter
from adapters.rest_json.config import RestJsonConfig, TypeMapping

__all__ = ["RestJsonAdapter", "RestJsonConfig", "TypeMapping"]
