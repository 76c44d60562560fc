"""The minimum framework, measured: ``caap assess``, ``/assessment`` and ``/catalogue.ttl``.

A versioned profile (``profiles/minimum-framework.yaml``, ``profile.py``) lists the
checks; ``checks/`` holds one module per family; ``runner.py`` runs them per city
(``target.py``: what a check may ask of a city) into a ``Report`` (``report.py``),
rendered as text, JSON or HTML (``render_text.py``, ``render_html.py``). The gateway
publishes its own DCAT-AP-SE catalogue (``own_catalogue.py``), valid against the
DCAT-AP 3.0.0 shapes (``shacl.py``). See docs/assessment.md.
"""
