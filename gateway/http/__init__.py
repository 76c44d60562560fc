"""Stage 1 of a request: HTTP. The app, its middleware, and GraphQL over HTTP.

::

    app.py               create_app: routes, middleware, and the lifespan that builds the state
    asgi.py              the ASGI entry point for uvicorn workers
    request_id.py        ``X-Request-ID``: accepted or generated, echoed, logged, sent upstream
    access_log.py        one log line and one counter increment per HTTP request (and its id)
    graphql_lane.py      ``/graphql`` straight to its endpoint, past the router
    disconnect.py        a client that goes away cancels its request
    body.py              the request body, read no further than its limit
    graphql_endpoint.py  ``/graphql``: POST and GET, media types, status codes -> graphql/
"""
