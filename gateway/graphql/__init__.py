"""Stage 2 of a request: GraphQL. One operation from its parameters to the bytes of its answer.

::

    pipeline.py           one operation: limits, persisted queries, response cache, execution
    protection.py         the protections of the federation in force (built again on reload)
    rate_limit.py         token buckets per client
    limits/               what one request may ask, checked before it runs
    persisted_queries.py  automatic persisted queries and the allow-list of trusted documents
    response_cache.py     whole responses kept as bytes for a short time
    answer_sharing.py     identical requests in flight together share one execution
    execution.py          parse, validate (both cached) and execute; shape the result
    fast_lists.py         a fast path for large result lists
    schema/               the Strawberry schema; its resolvers call policy/ and query/
"""
