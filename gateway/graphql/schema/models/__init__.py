"""Typed fields for the Smart Data Models types, generated from their JSON Schemas (ADR 0021).

``generated.py`` is written by ``make models`` (``tools/generate_models.py``) from the
schemas in ``sources/``; ``values``, ``filters`` and ``root`` are the hand-written parts it uses.
"""
