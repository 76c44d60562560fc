"""Live data (issue 15): entity changes pushed to subscribers as cities report them.

One upstream stream per (city, type, push-down), shared by every subscriber
(``upstream_stream.py``): the platform's push channel where the adapter offers one
(``adapters.streaming.Streaming``), else polling with conditional requests that
emits only changes (``polling.py``, ``changes.py``). Each event passes the city's
policy once per policy class and filter (``policy_view.py``) and is queued to each
subscriber in a bounded queue (``subscriber.py``). ``hub.py`` ties it together;
``callbacks.py`` is the gateway's ``CallbackHost`` for HTTP notifications.
ADR 0022.
"""
