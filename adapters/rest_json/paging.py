"""Where the next page is, for each paging style of a rest-json API.

``offset`` and ``page`` stop at an empty or short page, or once the reported total
is reached; ``link`` follows ``Link: <...>; rel="next"``; ``next`` follows the URL
the body names. A next URL on another origin than the configured API is refused.
"""

from __future__ import annotations

from yarl import URL

from adapters.errors import UpstreamProtocolError
from adapters.rest_json.config import Paging
from adapters.sdk.fetch import JsonAnswer
from adapters.sdk.links import next_link


def first_params(paging: Paging, size: int, offset: int) -> dict[str, str]:
    """The paging parameters of the first request."""
    p = paging.params
    if paging.style == "offset":
        return {str(p["limit"]): str(size), str(p["offset"]): str(offset)}
    if paging.style == "page":
        return {str(p["page"]): str(p["first"]), str(p["size"]): str(size)}
    if paging.style in ("link", "next"):
        return {str(p["size"]): str(size)}
    return {}


def next_url(
    paging: Paging,
    current: URL,
    page: JsonAnswer,
    *,
    count: int,
    size: int,
    seen: int,
    total: int | None,
    origin: URL,
) -> URL | None:
    """The URL of the page after ``page`` (``count`` items on it), or None at the end."""
    if count == 0 or paging.style == "none":
        return None
    if paging.style in ("offset", "page"):
        if count < size or (total is not None and seen >= total):
            return None
        p = paging.params
        if paging.style == "offset":
            return current.update_query({str(p["offset"]): str(seen)})
        number = int(current.query.get(str(p["page"]), str(p["first"])))
        return current.update_query({str(p["page"]): str(number + 1)})
    if paging.style == "link":
        target = next_link(page.headers.getall("Link", ()), current)
    else:
        assert paging.next is not None
        value = paging.next.evaluate(page.data)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise UpstreamProtocolError(f"the next-page link ({paging.next.source}) is not a URL")
        try:
            target = current.join(URL(value))
        except ValueError:
            raise UpstreamProtocolError("the next-page link is not a URL") from None
    if target is None:
        return None
    if target.origin() != origin.origin():
        raise UpstreamProtocolError(
            f"the next-page link points to another origin ({target.host}); not followed"
        )
    return target
