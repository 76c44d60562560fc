"""The CKAN action API (``package_search``) behind ``CkanAdapter``.

``GET {url}/api/3/action/package_search?q=...&rows=N&start=S&sort=title_string asc``,
following ``start`` until ``limit`` datasets or ``result.count`` are reached. The
search words go to ``q`` (CKAN matches all words); the same word match is
applied again here so every catalogue kind means the same by a search. A package
becomes a ``CatalogueDataset``: id, title (else name), ``notes``, tags, the
organisation's title, ``metadata_modified`` and resources (``url``, ``format``).
A text given as a language map (ckanext-fluent) is its Swedish string, else the first.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeGuard

import orjson
from yarl import URL

from adapters.catalogue.base import CatalogueBase
from adapters.catalogue.search import matches
from adapters.contract import (
    CatalogueDataset,
    CatalogueDistribution,
    CatalogueQuery,
    CatalogueResult,
)
from adapters.errors import UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.sdk.fetch import JSON_TYPES, Answer, parse_json, redact, status_error

ACTION_PATH = "api/3/action/"
_ERROR_STATUSES = (400, 403, 404, 409)
"""CKAN answers these with its JSON error envelope, which says more than the status."""


class CkanAdapter(CatalogueBase):
    """A CKAN site's catalogue (``kind: ckan``)."""

    kind: ClassVar[str] = "ckan"
    peer: ClassVar[str] = "the CKAN catalogue"

    @property
    def search_url(self) -> URL:
        """``.../api/3/action/package_search``."""
        base = self.config.url
        path = base.path.rstrip("/")
        if path.endswith("/api/3/action"):
            path = path[: -len("/api/3/action")]
        return base.with_path(f"{path}/{ACTION_PATH}package_search")

    async def fetch_datasets(self, query: CatalogueQuery) -> CatalogueResult:
        """Page through ``package_search`` until ``limit`` matching datasets."""
        if query.limit < 0:
            raise UnsupportedQuery("limit must not be negative")
        words = " ".join(query.search.split()) if query.search else ""
        found: list[CatalogueDataset] = []
        start = 0
        count: int | None = None
        while len(found) < query.limit:
            rows = min(self.config.page_size, query.limit - len(found))
            params = {"q": words or "*:*", "rows": str(rows), "start": str(start)}
            params["sort"] = "title_string asc"
            result = await self._call(self.search_url.with_query(params))
            count, packages = _search_result(result)
            for index, package in enumerate(packages):
                dataset = to_dataset(package, start + index)
                if matches(dataset, query.search):
                    found.append(dataset)
            start += len(packages)
            if not packages or start >= count:
                break
        truncated = count is not None and start < count
        return CatalogueResult(found[: query.limit], total_count=count, truncated=truncated)

    async def _call(self, url: URL) -> Any:
        answer = await self.client.fetch(url, accept_status=(200, *_ERROR_STATUSES))
        envelope = self._envelope(answer)
        if not envelope["success"] or answer.status != 200:
            error = envelope.get("error")
            kind = error.get("__type") if isinstance(error, dict) else None
            said = redact(kind, self.client.secrets) if isinstance(kind, str) else "error"
            raise UpstreamError(f"CKAN answered HTTP {answer.status}: {said}", status=answer.status)
        return envelope.get("result")

    def _envelope(self, answer: Answer) -> dict[str, Any]:
        """The action envelope; an error status without one is an error of that status."""
        if answer.status == 200:
            if answer.content_type not in JSON_TYPES:
                raise UpstreamProtocolError(
                    f"expected a JSON answer from {self.peer}, "
                    f"got content type {answer.content_type!r}"
                )
            data = parse_json(answer.body, self.peer)
        else:
            data = _json_or_none(answer)
            if not _is_envelope(data):
                raise status_error(answer.status, answer.body, self.client.secrets, peer=self.peer)
        if not _is_envelope(data):
            raise UpstreamProtocolError("the answer is not a CKAN action envelope")
        return data


def _json_or_none(answer: Answer) -> Any:
    if answer.content_type not in JSON_TYPES:
        return None
    try:
        return orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return None


def _is_envelope(data: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(data, dict) and isinstance(data.get("success"), bool)


def _search_result(result: Any) -> tuple[int, list[Any]]:
    if not isinstance(result, dict):
        raise UpstreamProtocolError("package_search: 'result' is not an object")
    count, packages = result.get("count"), result.get("results")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(packages, list):
        raise UpstreamProtocolError("package_search: 'result' lacks count or results")
    return count, packages


def to_dataset(package: Any, index: int = 0) -> CatalogueDataset:
    """One CKAN package dict as a dataset."""
    if not isinstance(package, dict):
        raise UpstreamProtocolError(f"package #{index} is not an object")
    package_id = package.get("id") or package.get("name")
    if not isinstance(package_id, str) or not package_id:
        raise UpstreamProtocolError(f"package #{index} has no string 'id'")
    title = _string(package.get("title")) or _string(package.get("name")) or package_id
    org = package.get("organization")
    resources = package.get("resources") if isinstance(package.get("resources"), list) else []
    tags = package.get("tags") if isinstance(package.get("tags"), list) else []
    return CatalogueDataset(
        id=package_id,
        title=title,
        description=_string(package.get("notes")),
        distributions=tuple(
            CatalogueDistribution(
                access_url=_string(r.get("url")),
                format=_string(r.get("format")) or _string(r.get("mimetype")),
                title=_string(r.get("name")),
            )
            for r in resources or ()
            if isinstance(r, dict)
        ),
        keywords=tuple(
            sorted(
                {t["name"] for t in tags or () if isinstance(t, dict) and _string(t.get("name"))}
            )
        ),
        publisher=_string(org.get("title")) if isinstance(org, dict) else None,
        modified=_string(package.get("metadata_modified")),
    )


def _string(value: object) -> str | None:
    """A non-empty string; of a language map (ckanext-fluent), the Swedish one, else the first."""
    if isinstance(value, dict):
        texts = [value.get("sv"), *value.values()]
        return next((t for t in texts if isinstance(t, str) and t), None)
    return value if isinstance(value, str) and value else None
