"""The NGSI-LD adapter (ETSI GS CIM 009): a city's context broker behind the adapter contract.

Modules: ``config`` (the adapter section, validated), ``dialect`` (what each broker
does its own way), ``contexts`` (shipped JSON-LD contexts, term <-> IRI), ``query``
(SourceQuery -> request parameters), ``transport`` (one page through the SDK client,
read as NGSI-LD), ``mapping`` (payload -> SourceEntity), ``temporal`` and
``temporal_read`` (history: paging, 206 ranges, datasets), ``adapter`` (``NgsiLdAdapter``).
"""

from adapters.ngsi_ld.adapter import NgsiLdAdapter
from adapters.ngsi_ld.config import NgsiLdConfig, TypeSettings

__all__ = ["NgsiLdAdapter", "NgsiLdConfig", "TypeSettings"]
