"""A real OAuth 2.0 authorization server on a loopback port, for tests.

It issues RFC 9068 JWT access tokens (or opaque ones) to registered clients by
the client-credentials grant (``POST /token``), publishes its keys
(``GET /jwks``) and its OpenID configuration, introspects tokens (RFC 7662,
``POST /introspect``), and can rotate its signing key or take its JWKS endpoint
down. Tests get tokens over HTTP, exactly as a client would; ``forge`` builds
the malformed or hostile tokens an attacker would send.

``python -m tests.support.auth_server`` runs it for the demo (docs/auth.md):
never use it for anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import httpx
import orjson
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, Key, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.uvicorn_thread import UvicornThread

AUDIENCE = "urn:caap:gateway"
GATEWAY_CLIENT = ("caap-gateway", "gateway-introspection-secret")
"""The resource server's credentials at the introspection endpoint."""


@dataclass(frozen=True)
class Client:
    """A registered client: its secret, the scopes it may get, and the kind of token it gets."""

    client_id: str
    secret: str
    scopes: frozenset[str] = frozenset()
    opaque: bool = False


@dataclass
class _Issued:
    claims: dict[str, Any]
    revoked: bool = False


@dataclass
class _State:
    keys: list[Key] = field(default_factory=list)
    jwks_down: bool = False
    jwks_hold: threading.Event | None = None
    jwks_entered: threading.Event = field(default_factory=threading.Event)
    jwks_requests: int = 0
    token_requests: int = 0
    introspection_requests: int = 0
    issued: dict[str, _Issued] = field(default_factory=dict)


class AuthServer:
    """``with AuthServer([Client(...)]) as idp: idp.token("app")`` -> a signed access token."""

    def __init__(
        self,
        clients: Iterable[Client],
        *,
        audience: str = AUDIENCE,
        alg: str = "RS256",
        token_ttl_s: int = 300,
        port: int = 0,
    ) -> None:
        self.clients = {c.client_id: c for c in clients}
        self.audience = audience
        self.alg = alg
        self.token_ttl_s = token_ttl_s
        self._lock = threading.Lock()
        self._state = _State(keys=[self._new_key()])
        self._thread = UvicornThread(self._app(), name="auth-server", port=port)
        self.issuer = self._thread.url

    # --- what tests use -------------------------------------------------------------------

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks"

    @property
    def introspection_endpoint(self) -> str:
        return f"{self.issuer}/introspect"

    @property
    def current_key(self) -> Key:
        with self._lock:
            return self._state.keys[-1]

    @property
    def jwks_requests(self) -> int:
        return self._state.jwks_requests

    @property
    def introspection_requests(self) -> int:
        return self._state.introspection_requests

    def token(self, client_id: str, scope: str | None = None, secret: str | None = None) -> str:
        """An access token for ``client_id``, fetched over HTTP from ``/token``."""
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope
        credentials = (client_id, secret if secret is not None else self.clients[client_id].secret)
        response = httpx.post(f"{self.issuer}/token", data=form, auth=credentials)
        response.raise_for_status()
        body = response.json()
        assert body["token_type"] == "Bearer"
        return str(body["access_token"])

    def rotate(self, *, keep_previous: bool = True) -> Key:
        """Sign with a new key from now on; the old one stays published unless told otherwise."""
        key = self._new_key()
        with self._lock:
            self._state.keys = [*self._state.keys[-1:], key] if keep_previous else [key]
        return key

    def set_jwks_down(self, down: bool) -> None:
        """``/jwks`` (and discovery) answer 503 while down."""
        self._state.jwks_down = down

    def hold_jwks(self) -> tuple[threading.Event, threading.Event]:
        """From now on ``/jwks`` waits until released: ``(entered, release)`` events."""
        release = threading.Event()
        self._state.jwks_entered.clear()
        self._state.jwks_hold = release
        return self._state.jwks_entered, release

    def revoke(self, token: str) -> None:
        """Introspection says inactive from now on."""
        with self._lock:
            self._state.issued[token].revoked = True

    def claims_for(self, client_id: str, /, **overrides: Any) -> dict[str, Any]:
        """The claims ``/token`` would put in a token for ``client_id`` now, with overrides
        (an override of None leaves the claim out)."""
        client = self.clients.get(client_id)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": client_id,
            "aud": self.audience,
            "client_id": client_id,
            "iat": now,
            "nbf": now,
            "exp": now + self.token_ttl_s,
            "jti": secrets.token_hex(8),
            "scope": " ".join(sorted(client.scopes)) if client else "",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def forge(
        self,
        claims: Mapping[str, Any],
        *,
        header: Mapping[str, Any] | None = None,
        key: Key | None = None,
    ) -> str:
        """A JWT with these claims and header, signed with ``key`` (default: the real key)."""
        signing = key or self.current_key
        signing.ensure_kid()
        full = {"alg": self.alg, "typ": "at+jwt", "kid": signing.kid, **(header or {})}
        full = {k: v for k, v in full.items() if v is not None}
        return jwt.encode(full, dict(claims), signing, algorithms=[full["alg"]])

    # --- hostile tokens that no library would sign ----------------------------------------

    def forge_unsigned(self, claims: Mapping[str, Any]) -> str:
        """``alg: none`` with an empty signature."""
        header = {"alg": "none", "typ": "at+jwt", "kid": self.current_key.kid}
        return f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(dict(claims)))}."

    def forge_raw(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
        """Any header at all, RS256-signed with the real key (joserfc refuses odd headers)."""
        key = self.current_key
        assert isinstance(key, RSAKey)
        assert self.alg == "RS256"
        signing_input = f"{_b64(orjson.dumps(dict(header)))}.{_b64(orjson.dumps(dict(claims)))}"
        private = key.private_key
        assert isinstance(private, rsa.RSAPrivateKey)
        signature = private.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def forge_hmac_with_public_key(self, claims: Mapping[str, Any]) -> str:
        """HS256 keyed with the published public key (PEM): the algorithm-confusion attack."""
        public = self.current_key
        assert isinstance(public, RSAKey | ECKey)
        secret = public.as_pem(private=False)
        header = {"alg": "HS256", "typ": "at+jwt", "kid": public.kid}
        signing_input = f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(dict(claims)))}"
        mac = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    # --- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> AuthServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.stop()

    # --- the HTTP side --------------------------------------------------------------------

    def _new_key(self) -> Key:
        key: Key = (
            ECKey.generate_key("P-256", private=True)
            if self.alg.startswith("ES")
            else RSAKey.generate_key(2048, private=True)
        )
        key.ensure_kid()
        return key

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery, methods=["GET"]),
                Route("/jwks", self._jwks, methods=["GET"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/introspect", self._introspect, methods=["POST"]),
            ]
        )

    async def _discovery(self, request: Request) -> Response:
        if self._state.jwks_down:
            return Response(status_code=503)
        return JSONResponse(
            {
                "issuer": self.issuer,
                "jwks_uri": self.jwks_uri,
                "token_endpoint": f"{self.issuer}/token",
                "introspection_endpoint": self.introspection_endpoint,
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        self._state.jwks_requests += 1
        hold = self._state.jwks_hold
        if hold is not None:
            self._state.jwks_entered.set()
            await asyncio.to_thread(hold.wait, 10)
        if self._state.jwks_down:
            return Response(status_code=503)
        with self._lock:
            keys = [
                {**k.as_dict(private=False), "use": "sig", "alg": self.alg}
                for k in self._state.keys
            ]
        return JSONResponse({"keys": keys})

    async def _token(self, request: Request) -> Response:
        self._state.token_requests += 1
        form = await _form(request)
        client = self._authenticate(request, form, self.clients)
        if client is None:
            return _oauth_error(401, "invalid_client")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type")
        asked = frozenset(form["scope"].split()) if "scope" in form else client.scopes
        if not asked <= client.scopes:
            return _oauth_error(400, "invalid_scope")
        claims = self.claims_for(client.client_id, scope=" ".join(sorted(asked)))
        token = secrets.token_urlsafe(32) if client.opaque else self.forge(claims)
        with self._lock:
            self._state.issued[token] = _Issued(claims)
        return JSONResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl_s,
                "scope": claims["scope"],
            },
            headers={"Cache-Control": "no-store"},
        )

    async def _introspect(self, request: Request) -> Response:
        self._state.introspection_requests += 1
        form = await _form(request)
        gateway = {GATEWAY_CLIENT[0]: Client(*GATEWAY_CLIENT)}
        if self._authenticate(request, form, gateway) is None:
            return _oauth_error(401, "invalid_client")
        with self._lock:
            issued = self._state.issued.get(form.get("token", ""))
        if issued is None or issued.revoked or issued.claims["exp"] <= time.time():
            return JSONResponse({"active": False})
        return JSONResponse({"active": True, "token_type": "access_token", **issued.claims})

    @staticmethod
    def _authenticate(
        request: Request, form: Mapping[str, str], clients: Mapping[str, Client]
    ) -> Client | None:
        """client_secret_basic (form-encoded id and secret, RFC 6749 2.3.1) or _post."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = (unquote(p) for p in decoded.partition(":"))
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = clients.get(client_id)
        if client is None or not hmac.compare_digest(client.secret, secret):
            return None
        return client


async def _form(request: Request) -> dict[str, str]:
    parsed = parse_qs((await request.body()).decode(), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def _oauth_error(status: int, error: str) -> Response:
    return JSONResponse({"error": error}, status_code=status)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


DEMO_CLIENTS = [
    Client("demo-utility", "demo-utility-secret", frozenset({"caap:utility:read"})),
    Client("demo-app", "demo-app-secret", frozenset()),
]


def main() -> None:
    """Serve the demo clients on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(description="A local authorization server for the demo.")
    parser.add_argument("--port", type=int, default=9000)
    port = parser.parse_args().port
    with AuthServer(DEMO_CLIENTS, port=port, token_ttl_s=3600) as idp:
        print(f"demo authorization server: issuer {idp.issuer}, audience {idp.audience}")
        for client in DEMO_CLIENTS:
            scopes = " ".join(sorted(client.scopes)) or "(none)"
            print(f"  client {client.client_id} / {client.secret}: scopes {scopes}")
        print("Ctrl-C stops it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
