"""The status page and ``/status.json``: what the gateway has seen of each city lately.

::

    city_health.py  health, latency and last error per city, from aiohttp hooks
    probe.py        a city not heard from lately is asked for one entity
    document.py     ``/status.json``: the federation at a glance
    map.py          where a city goes on the page's map of Sweden
    page/           the static page (HTML, CSS, JS, the map)
"""
