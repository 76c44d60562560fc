"""The ``caap`` command: one module per subcommand, dispatched by ``main.py``.

::

    main.py           the subcommands: serve | demo | check | schema | adapters | reload | sim fault
    serve.py          run the gateway under uvicorn
    demo.py           simulated platforms for 18 cities, then the gateway (``make run``)
    check.py          validate a federation file, then ask each city for a little data
    reload_client.py  ask a running gateway on this host to reload its federation file
    sim_control.py    tell the simulated platforms to misbehave or heal
"""
