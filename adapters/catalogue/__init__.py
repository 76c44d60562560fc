"""Open-data catalogue adapters: DCAT-AP-SE documents (``dcat-ap-se``) and the CKAN action API
(``ckan``). Both answer ``fetch_datasets`` (adapters.contract.CatalogueAdapter).

Modules: ``config`` (the ``catalogue`` section, validated), ``search`` (the shared
word match), ``base`` (HTTP through ``adapters.sdk.PlatformClient``, lifecycle),
``dcat`` (rdflib parsing and ``DcatAdapter``), ``ckan`` (``CkanAdapter``).
"""

from adapters.catalogue.ckan import CkanAdapter
from adapters.catalogue.dcat import DcatAdapter, parse_catalogue

__all__ = ["CkanAdapter", "DcatAdapter", "parse_catalogue"]
