"""GraphiQL served by the gateway itself: the page at ``GET /graphql`` (``Accept: text/html``)
and its scripts and styles at ``/graphiql/assets/``, from the npm packages pinned in
``package-lock.json`` here (installed by ``make``); no CDN, so it works with no network.
"""

from gateway.http.graphiql.assets import ASSET_ROUTE, graphiql_asset
from gateway.http.graphiql.page import graphiql_page

__all__ = ["ASSET_ROUTE", "graphiql_asset", "graphiql_page"]
