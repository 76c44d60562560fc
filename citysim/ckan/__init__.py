"""The CKAN action API (v3) of a simulated city's catalogue: package_search, package_show."""

from citysim.ckan.app import mount

__all__ = ["mount"]
