"""The signature scheme: fixed vectors (so clients in other languages can check themselves)."""

from __future__ import annotations

import hashlib
import hmac

from smartgov.sharing import signing

SECRET = "test-secret-0123456789abcdefghijklmnopqrstuv"
PATH = "/gateway/v1/resources/7/records/330106199001010011"


def test_canonical_query_sorts_and_percent_encodes():
    assert signing.canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2"
    assert signing.canonical_query("name=张三&x=a b") == "name=%E5%BC%A0%E4%B8%89&x=a%20b"
    assert signing.canonical_query("x=a+b") == signing.canonical_query("x=a%20b")
    assert signing.canonical_query({"fields": "name,phone"}) == "fields=name%2Cphone"
    assert signing.canonical_query("") == ""
    assert signing.canonical_query("flag") == "flag="


def test_string_to_sign_has_the_six_lines():
    text = signing.string_to_sign(
        method="get",
        path=PATH,
        query="fields=phone,name",
        body=b"",
        timestamp="1764586800",
        nonce="4f1c2a9e0b7d4c36a1e5f08b9d2c7e61",
    )
    assert text.split("\n") == [
        "GET",
        PATH,
        "fields=phone%2Cname",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "1764586800",
        "4f1c2a9e0b7d4c36a1e5f08b9d2c7e61",
    ]


def test_sha256_vector():
    headers = signing.sign_request(
        app_key="sg" + "0" * 30,
        secret=SECRET,
        method="GET",
        path=PATH,
        query="fields=name",
        timestamp=1764586800,
        nonce="n" * 16,
    )
    text = "\n".join(
        ["GET", PATH, "fields=name", hashlib.sha256(b"").hexdigest(), "1764586800", "n" * 16]
    )
    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    assert headers["X-SG-Signature"] == expected
    # The published vector (docs/architecture.md, "Sharing gateway").
    assert expected == "3ac9b590c2842b6540515c935c0fe593e1ab3bd02cb9d7a30cf2bd8a53540dea"
    assert "X-SG-Signature-Method" not in headers


def test_sm3_vector_and_header():
    headers = signing.sign_request(
        app_key="sg" + "0" * 30,
        secret=SECRET,
        method="GET",
        path=PATH,
        timestamp=1764586800,
        nonce="n" * 16,
        signature_method=signing.HMAC_SM3,
    )
    assert headers["X-SG-Signature-Method"] == "HMAC-SM3"
    assert len(headers["X-SG-Signature"]) == 64
    text = "\n".join(["GET", PATH, "", hashlib.sha256(b"").hexdigest(), "1764586800", "n" * 16])
    from smartgov.core.crypto import hmac_sm3

    assert headers["X-SG-Signature"] == hmac_sm3(SECRET.encode(), text)
    assert headers["X-SG-Signature"] == (
        "abe6c68d4d0daf8c646e4668e935a47db1fb88871912053753e6b0158c7962cf"
    )


def test_path_is_canonical_whether_encoded_or_not():
    assert signing.canonical_path("/a/张") == signing.canonical_path("/a/%E5%BC%A0")
    assert signing.canonical_path("/a b") == "/a%20b"
