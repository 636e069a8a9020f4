"""E-license identifiers: ``1.2.156.3005.2.{type}.{issuer}.{serial}.{version}.{check}``.

The check character follows ISO/IEC 7064 MOD 37,36 (the hybrid system with M = 36 over the
alphabet 0-9A-Z), computed over the alphanumeric characters of the identifier before the check
(the dots are left out, letters upper-cased). Written out by hand after the standard:

    p = M
    for each character c (value 0..35):
        s = (p + value(c)) mod M;  if s == 0: s = M
        p = (2 * s) mod (M + 1)
    check = (M + 1 - p) mod M

A string with its check character is valid when the same loop, run over every character
including the check, ends with s == 1.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_M = 36
PREFIX = "1.2.156.3005.2"
_SEGMENT = re.compile(r"^[0-9A-Z]+$")


def _value(char: str) -> int:
    index = ALPHABET.find(char.upper())
    if index < 0 or len(char) != 1:
        raise ValueError(f"character {char!r} is not in 0-9A-Z")
    return index


def _run(text: str) -> tuple[int, int]:
    """(last s, last p) of the hybrid recursion over ``text``."""
    p = _M
    s = 0
    for char in text:
        s = (p + _value(char)) % _M or _M
        p = (2 * s) % (_M + 1)
    return s, p


def mod37_36_check(text: str) -> str:
    """The MOD 37,36 check character of ``text`` (alphanumeric)."""
    if not text:
        raise ValueError("empty text")
    _, p = _run(text)
    return ALPHABET[(_M + 1 - p) % _M]


def mod37_36_valid(text_with_check: str) -> bool:
    if len(text_with_check) < 2:
        return False
    try:
        s, _ = _run(text_with_check)
    except ValueError:
        return False
    return s == 1


def _body(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    return ".".join([PREFIX, type_code, issuer_code, serial, version])


def _alnum(text: str) -> str:
    return text.replace(".", "").upper()


def make_identifier(*, type_code: str, issuer_code: str, serial: int, version: int) -> str:
    parts = [type_code.upper(), issuer_code.upper(), f"{serial:08d}", f"{version:02d}"]
    for part in parts:
        if not _SEGMENT.match(part):
            raise ValueError(f"identifier segment {part!r} must be 0-9A-Z")
    body = _body(*parts)
    return f"{body}.{mod37_36_check(_alnum(body))}"


def parse_identifier(identifier: str) -> dict[str, str] | None:
    """The segments of a well-formed identifier with a correct check character, else None."""
    if not isinstance(identifier, str) or not identifier.startswith(PREFIX + "."):
        return None
    rest = identifier[len(PREFIX) + 1 :].split(".")
    if len(rest) != 5 or not all(_SEGMENT.match(part) for part in rest):
        return None
    type_code, issuer_code, serial, version, check = rest
    if len(check) != 1:
        return None
    if not mod37_36_valid(_alnum(identifier)):
        return None
    return {
        "type": type_code,
        "issuer": issuer_code,
        "serial": serial,
        "version": version,
        "check": check,
    }
