"""Next-page links in ``Link`` headers (RFC 8288), for platforms that page that way."""

from __future__ import annotations

import re
from collections.abc import Iterable

from yarl import URL

from adapters.errors import UpstreamProtocolError

_LINK_VALUE = re.compile(r"<(?P<ref>.*?)>\s*(?P<params>(?:;[^,]*)?)\s*(?:,\s*|$)")
"""One link-value of a Link header; the reference may hold ``>`` or ``,`` (lax servers)."""
_REL = re.compile(r';\s*rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s;,]+))', re.IGNORECASE)


def next_link(headers: Iterable[str], base: URL) -> URL | None:
    """The ``rel="next"`` target among Link headers, resolved against ``base``.

    Only an http(s) URL is a next page (a ``file:`` link is UpstreamProtocolError); its
    origin is not checked: pass it to ``PlatformClient.follow`` or compare origins.
    """
    for header in headers:
        for match in _LINK_VALUE.finditer(header):
            for rel in _REL.finditer(match["params"]):
                if "next" in (rel["quoted"] or rel["bare"] or "").lower().split():
                    try:
                        target = base.join(URL(match["ref"].strip()))
                    except ValueError:
                        raise UpstreamProtocolError("the next-page link is not a URL") from None
                    if target.scheme not in ("http", "https") or not target.host:
                        raise UpstreamProtocolError("the next-page link is not an http(s) URL")
                    return target
    return None
