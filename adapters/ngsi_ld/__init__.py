"""The NGSI-LD adapter (ETSI GS CIM 009): a city's context broker behind the adapter contract.

Modules: ``config`` (the adapter section, validated), ``contexts`` (shipped JSON-LD
contexts, term <-> IRI), ``query`` (SourceQuery -> request parameters),
``transport`` (one HTTP page, errors mapped), ``mapping`` (payload -> SourceEntity),
``adapter`` (``NgsiLdAdapter``).
"""

from adapters.ngsi_ld.adapter import NgsiLdAdapter
from adapters.ngsi_ld.config import NgsiLdConfig, TypeSettings

__all__ = ["NgsiLdAdapter", "NgsiLdConfig", "TypeSettings"]
