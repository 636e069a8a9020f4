from __future__ import annotations

import pytest

from smartgov.licenses.identifiers import (
    ALPHABET,
    make_identifier,
    mod37_36_check,
    mod37_36_valid,
    parse_identifier,
)


def _by_hand(text: str) -> str:
    """The standard's recursion written out a second time, without shortcuts."""
    m = 36
    p = m
    for char in text:
        s = (p + ALPHABET.index(char)) % m
        if s == 0:
            s = m
        p = (s * 2) % (m + 1)
    return ALPHABET[(m + 1 - p) % m]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        # python-stdnum's documented MOD 37,36 example.
        ("A12425GABC1234002", "M"),
        # Worked by hand: p=36; '0' -> s=36, p=72%37=35; check=(37-35)%36=2.
        ("0", "2"),
        # 'Z' (35): s=(36+35)%36=35, p=70%37=33; check=(37-33)%36=4.
        ("Z", "4"),
        # '1' -> s=1, p=2; '1' -> s=3, p=6; check=(37-6)%36=31 -> 'V'.
        ("11", "V"),
    ],
)
def test_known_vectors(text, check):
    assert mod37_36_check(text) == check
    assert _by_hand(text) == check
    assert mod37_36_valid(text + check)


def test_every_substitution_and_adjacent_transposition_is_detected():
    samples = ["A12425GABC1234002", "12156300521BIZD00000500000001", "MARRIAGE9133ZZ01"]
    for sample in samples:
        full = sample + mod37_36_check(sample)
        assert mod37_36_valid(full)
        for i, original in enumerate(full):
            for replacement in ALPHABET:
                if replacement == original:
                    continue
                assert not mod37_36_valid(full[:i] + replacement + full[i + 1 :])
        for i in range(len(full) - 1):
            if full[i] == full[i + 1]:
                continue
            swapped = full[:i] + full[i + 1] + full[i] + full[i + 2 :]
            assert not mod37_36_valid(swapped)


def test_make_and_parse_identifier():
    ident = make_identifier(type_code="biz", issuer_code="D000005", serial=42, version=1)
    assert ident.startswith("1.2.156.3005.2.BIZ.D000005.00000042.01.")
    parts = parse_identifier(ident)
    assert parts == {
        "type": "BIZ",
        "issuer": "D000005",
        "serial": "00000042",
        "version": "01",
        "check": ident[-1],
    }
    wrong = ident[:-1] + ("0" if ident[-1] != "0" else "1")
    assert parse_identifier(wrong) is None
    altered = ident.replace("00000042", "00000043")
    assert parse_identifier(altered) is None


@pytest.mark.parametrize(
    "bad", ["", "1.2.156.3005.2.BIZ", "x.y", "1.2.156.3005.2.B-Z.D1.1.1.A", None, 42]
)
def test_parse_rejects_malformed(bad):
    assert parse_identifier(bad) is None


def test_make_rejects_bad_segments():
    with pytest.raises(ValueError):
        make_identifier(type_code="营业", issuer_code="D1", serial=1, version=1)
    with pytest.raises(ValueError):
        mod37_36_check("")
