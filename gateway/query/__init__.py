"""Stage 4 of a request: the query to the cities. Plan, fan out, call each city, merge.

::

    entity_request.py  a caller's question about entities, validated
    planner.py         one step per city: a question to send, or a refusal
    entities.py        the federated entity query: plan, fan out, filter, merge, paginate
    history.py         past values of one entity type, city by city
    datasets.py        every city's open-data catalogue, merged and paged
    statistics.py      count, min, max, mean of one attribute across cities
    fanout.py          every planned city at once, each within its timeout, all within a deadline
                       (the one way to a city: entities, statistics, history, datasets, probes)
    upstream.py        each city's adapters behind its cache and its one guard -> adapters/
    cache/             per-city answers: two tiers, single-flight, RFC 5861 staleness
    resilience/        per city: retries, circuit breaker, bulkhead
    filtering.py       filters the gateway applies itself; what the caller may see of an answer
    merge.py           k-way merge of per-city results into one page
    ordering.py        the one global order of entities across cities
    cursor.py          opaque pagination cursors
    coverage.py        what each city contributed to an answer
"""
