"""A city's open-data catalogue: its datasets (``records``), served as DCAT-AP-SE RDF."""

from citysim.dcat.app import mount

__all__ = ["mount"]
