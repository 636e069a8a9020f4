"""The gateway's request signature, usable by clients: ``sign_request`` and ``GatewayClient``.

A call carries four headers (a fifth is optional)::

    X-SG-App-Key            the app key ("sg" + 30 hex digits)
    X-SG-Timestamp          unix seconds; refused when more than 300 s off the server's clock
    X-SG-Nonce              16-64 characters of [A-Za-z0-9_-]; accepted once per app
    X-SG-Signature          hex HMAC of the string to sign, keyed with the app secret
    X-SG-Signature-Method   HMAC-SHA256 (default) or HMAC-SM3

The string to sign is six lines joined by "\\n" (no trailing newline)::

    GET
    /gateway/v1/resources/42/records/330106199001010011
    fields=name%2Cphone&page=1
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    1764586800
    4f1c2a9e0b7d4c36a1e5f08b9d2c7e61

i.e. the upper-case method, the canonical path, the canonical query, the
hex SHA-256 of the body (of b"" for a GET), the timestamp and the nonce. The canonical query
sorts the decoded (name, value) pairs and re-encodes each with RFC 3986 unreserved characters
kept (``A-Z a-z 0-9 - _ . ~``) and everything else as %XX of its UTF-8 bytes, so a client may
send its query in any order or encoding variant and the server computes the same string. The
canonical path is the decoded path encoded the same way, "/" kept.

This module needs only the standard library (and ``smartgov.core.crypto`` for HMAC-SM3 when
OpenSSL lacks SM3), so a consumer's system can copy it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping

HEADER_APP_KEY = "X-SG-App-Key"
HEADER_TIMESTAMP = "X-SG-Timestamp"
HEADER_NONCE = "X-SG-Nonce"
HEADER_SIGNATURE = "X-SG-Signature"
HEADER_METHOD = "X-SG-Signature-Method"

HMAC_SHA256 = "HMAC-SHA256"
HMAC_SM3 = "HMAC-SM3"
SIGNATURE_METHODS = (HMAC_SHA256, HMAC_SM3)

MAX_SKEW_SECONDS = 300
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()


def _encode(text: str) -> str:
    return urllib.parse.quote(text, safe="-_.~")


def canonical_query(query: str | Mapping | Iterable[tuple[str, str]] | None) -> str:
    """The sorted, percent-encoded query: from a raw query string, a mapping or pairs."""
    if not query:
        return ""
    if isinstance(query, str):
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, Mapping):
        pairs = [(str(k), str(v)) for k, v in query.items()]
    else:
        pairs = [(str(k), str(v)) for k, v in query]
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_path(path: str) -> str:
    """The path (as sent, or decoded) percent-encoded with unreserved characters and "/" kept."""
    return urllib.parse.quote(urllib.parse.unquote(path), safe="/-_.~")


def body_digest(body: bytes | str | None) -> str:
    if not body:
        return EMPTY_BODY_SHA256
    if isinstance(body, str):
        body = body.encode("utf-8")
    return hashlib.sha256(body).hexdigest()


def string_to_sign(
    *, method: str, path: str, query, body: bytes | str | None, timestamp: str, nonce: str
) -> str:
    return "\n".join(
        (
            method.upper(),
            canonical_path(path),
            canonical_query(query),
            body_digest(body),
            str(timestamp),
            nonce,
        )
    )


def _hmac_sm3(key: bytes, data: bytes) -> str:
    try:
        return hmac.new(key, data, "sm3").hexdigest()
    except ValueError:  # OpenSSL without SM3: the platform's pure-Python fallback
        from smartgov.core.crypto import hmac_sm3

        return hmac_sm3(key, data)


def compute_signature(secret: str, text: str, method: str = HMAC_SHA256) -> str:
    """Hex HMAC of the string to sign under the app secret (its UTF-8 bytes)."""
    key = secret.encode("utf-8")
    data = text.encode("utf-8")
    if method == HMAC_SHA256:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    if method == HMAC_SM3:
        return _hmac_sm3(key, data)
    raise ValueError(f"unknown signature method {method!r}")


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_request(
    *,
    app_key: str,
    secret: str,
    method: str,
    path: str,
    query=None,
    body: bytes | str | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
    signature_method: str = HMAC_SHA256,
) -> dict[str, str]:
    """The headers that sign one request (a fresh nonce and the current time by default)."""
    timestamp_text = str(int(time.time()) if timestamp is None else int(timestamp))
    nonce = nonce or new_nonce()
    text = string_to_sign(
        method=method, path=path, query=query, body=body, timestamp=timestamp_text, nonce=nonce
    )
    headers = {
        HEADER_APP_KEY: app_key,
        HEADER_TIMESTAMP: timestamp_text,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: compute_signature(secret, text, signature_method),
    }
    if signature_method != HMAC_SHA256:
        headers[HEADER_METHOD] = signature_method
    return headers


class GatewayClient:
    """A tiny client of the gateway: ``lookup`` by key and ``query`` with filters.

    >>> client = GatewayClient("http://127.0.0.1:8000", app_key, secret)
    >>> status, body = client.lookup(42, "330106199001010011", fields=["name", "phone"])
    """

    def __init__(
        self,
        base_url: str,
        app_key: str,
        secret: str,
        *,
        signature_method: str = HMAC_SHA256,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.secret = secret
        self.signature_method = signature_method
        self.timeout = timeout

    def get(self, path: str, params: Mapping | Iterable[tuple[str, str]] | None = None):
        """GET a gateway path; returns (HTTP status, decoded JSON body)."""
        pairs = list(params.items() if isinstance(params, Mapping) else params or [])
        query = urllib.parse.urlencode(pairs)
        headers = sign_request(
            app_key=self.app_key,
            secret=self.secret,
            method="GET",
            path=path,
            query=pairs,
            signature_method=self.signature_method,
        )
        url = self.base_url + path + ("?" + query if query else "")
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def lookup(self, resource, key: str, *, fields: Iterable[str] | None = None):
        path = f"/gateway/v1/resources/{resource}/records/{urllib.parse.quote(key, safe='')}"
        return self.get(path, {"fields": ",".join(fields)} if fields else None)

    def query(self, resource, filters: Mapping | None = None, *, page=1, page_size=50, fields=None):
        params = {**(filters or {}), "page": page, "page_size": page_size}
        if fields:
            params["fields"] = ",".join(fields)
        return self.get(f"/gateway/v1/resources/{resource}/records", params)
