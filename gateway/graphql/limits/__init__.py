"""What one request may ask, checked before it runs (docs/adr/0006-limits-and-response-cache.md).

::

    document.py  characters and tokens, then the shape (via shape.py)
    shape.py     depth, aliases, directives, fields, root fields, fragment cycles
    cost.py      the price of an operation with its variables
    refusal.py   QUERY_TOO_COMPLEX and BAD_USER_INPUT errors
"""
