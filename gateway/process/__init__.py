"""One gateway process, assembled: its settings, the runtime in force, the state requests read.

::

    settings.py  typed settings from the environment (``CAAP_*``)
    runtime.py   the federation in force and one adapter per city behind the upstream layer
    state.py     the shared objects every request handler reads (``app.state.gateway``)
"""
