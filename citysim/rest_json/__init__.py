"""A bespoke REST/JSON open-data API in the style of diwise's api-opendata (``/api/...``)."""

from citysim.rest_json.app import mount
from citysim.rest_json.paging import style_for_city

__all__ = ["mount", "style_for_city"]
