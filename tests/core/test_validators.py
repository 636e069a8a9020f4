"""Identifier validators: citizen ID (GB 11643), credit code (GB 32100), mobile, masks."""

from __future__ import annotations

from datetime import date

import pytest

from smartgov.core.errors import InvalidInput
from smartgov.core.validators import (
    CREDIT_ALPHABET,
    check_citizen_id,
    check_credit_code,
    check_mobile,
    check_phone,
    check_region_code,
    citizen_id_check_digit,
    credit_code_check_char,
    mask_citizen_id,
    mask_mobile,
    mask_name,
    mask_phone,
)

GB11643_EXAMPLE = "11010519491231002X"
REAL_CREDIT_CODES = ["91330100716105852F", "9144030071526726XG", "914403001922038216"]


def _code_of(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value.code


def _single_char_changes(value: str, alphabet: str):
    for position, original in enumerate(value):
        for replacement in alphabet:
            if replacement != original:
                yield position, value[:position] + replacement + value[position + 1 :]


# --- citizen ID -------------------------------------------------------------------------------


def test_gb11643_example_is_valid():
    assert check_citizen_id(GB11643_EXAMPLE) == GB11643_EXAMPLE
    assert citizen_id_check_digit(GB11643_EXAMPLE[:17]) == "X"


def test_citizen_id_is_stripped_and_upper_cased():
    assert check_citizen_id("  11010519491231002x ") == GB11643_EXAMPLE


def test_every_single_character_change_of_a_citizen_id_is_rejected():
    accepted = []
    checked = 0
    for position, changed in _single_char_changes(GB11643_EXAMPLE, "0123456789X"):
        checked += 1
        try:
            check_citizen_id(changed)
        except InvalidInput:
            continue
        accepted.append((position, changed))
    assert checked == 18 * 10
    assert accepted == []


def test_a_changed_citizen_id_check_digit_is_a_checksum_error():
    for digit in "0123456789":
        assert _code_of(check_citizen_id, GB11643_EXAMPLE[:17] + digit) == "citizen_id_checksum"


def test_swapped_citizen_id_digits_are_a_checksum_error():
    swapped = GB11643_EXAMPLE[:15] + GB11643_EXAMPLE[16] + GB11643_EXAMPLE[15] + "X"
    assert swapped != GB11643_EXAMPLE
    assert _code_of(check_citizen_id, swapped) == "citizen_id_checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "citizen_id_length"),
        (None, "citizen_id_length"),
        ("11010519491231002", "citizen_id_length"),
        ("11010519491231002X1", "citizen_id_length"),
        ("110105194912310021X", "citizen_id_length"),
        ("1101051949123100XX", "citizen_id_format"),
        ("11010519491231002Y", "citizen_id_format"),
        ("11010519491231 02X", "citizen_id_format"),
        ("１１010519491231002X", "citizen_id_format"),  # full-width digits
        ("110１05194912310０2X", "citizen_id_format"),
        ("١١010519491231002X", "citizen_id_format"),  # Arabic-Indic digits
    ],
)
def test_citizen_id_length_and_format(value, code):
    assert _code_of(check_citizen_id, value) == code


def _with_check_digit(first17: str) -> str:
    return first17 + citizen_id_check_digit(first17)


@pytest.mark.parametrize(
    ("first17", "code"),
    [
        ("99010519491231002", "citizen_id_region"),  # no province 99
        ("00010519491231002", "citizen_id_region"),
        ("11000019491231002", "citizen_id_region"),  # province code alone
        ("11010519490230002", "citizen_id_birth_date"),  # 30 February
        ("11010519491301002", "citizen_id_birth_date"),  # month 13
        ("11010519490000002", "citizen_id_birth_date"),
        ("11010518891231002", "citizen_id_birth_date"),  # before 1890
        ("11010521000101002", "citizen_id_birth_date"),  # in the future
    ],
)
def test_citizen_id_region_and_birth_date(first17, code):
    assert _code_of(check_citizen_id, _with_check_digit(first17)) == code


def test_citizen_id_birth_date_is_compared_with_today():
    born_today = _with_check_digit("33010620240301001")
    assert check_citizen_id(born_today, today=date(2024, 3, 1)) == born_today
    assert (
        _code_of(check_citizen_id, born_today, today=date(2024, 2, 29)) == "citizen_id_birth_date"
    )


def test_leap_day_birth_date_is_valid():
    leap = _with_check_digit("33010620000229001")
    assert check_citizen_id(leap) == leap
    assert _code_of(check_citizen_id, _with_check_digit("33010619000229001")) == (
        "citizen_id_birth_date"
    )


def test_citizen_id_length_error_carries_the_length():
    with pytest.raises(InvalidInput) as caught:
        check_citizen_id("123")
    assert caught.value.detail == {"length": 3}
    assert caught.value.status == 400


# --- credit code ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_are_valid(code):
    assert check_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]
    assert check_credit_code(f" {code.lower()} ") == code


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_every_single_character_change_of_a_credit_code_is_rejected(code):
    accepted = []
    checked = 0
    for position, changed in _single_char_changes(code, CREDIT_ALPHABET + "IOSVZ"):
        checked += 1
        try:
            check_credit_code(changed)
        except InvalidInput:
            continue
        accepted.append((position, changed))
    assert checked == 18 * 35
    assert accepted == []


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_changed_credit_code_check_character_is_a_checksum_error(code):
    for char in CREDIT_ALPHABET:
        if char != code[17]:
            assert _code_of(check_credit_code, code[:17] + char) == "credit_code_checksum"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_credit_code_letters_outside_the_alphabet_are_refused(letter):
    base = REAL_CREDIT_CODES[0]
    for position in range(18):
        changed = base[:position] + letter + base[position + 1 :]
        with pytest.raises(InvalidInput) as caught:
            check_credit_code(changed)
        assert caught.value.code == "credit_code_alphabet"
        assert caught.value.detail == {"characters": [letter]}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "credit_code_length"),
        (None, "credit_code_length"),
        ("91330100716105852", "credit_code_length"),
        ("91330100716105852FF", "credit_code_length"),
        ("9133010071610585-F", "credit_code_alphabet"),
        ("9133010071610585 F", "credit_code_alphabet"),
        ("9133010071610585ÄF", "credit_code_alphabet"),
    ],
)
def test_credit_code_length_and_alphabet(value, code):
    assert _code_of(check_credit_code, value) == code


def _credit_with_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


@pytest.mark.parametrize(
    ("first17", "code"),
    [
        ("B1330100716105852", "credit_code_authority"),  # no authority B
        ("94330100716105852", "credit_code_authority"),  # industry & commerce: kinds 1-3 only
        ("Y2330100716105852", "credit_code_authority"),
        ("91990100716105852", "credit_code_region"),
        ("913301A0716105852", "credit_code_region"),
    ],
)
def test_credit_code_authority_and_region(first17, code):
    assert _code_of(check_credit_code, _credit_with_check(first17)) == code


# --- mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        (" 19912345678 ", "19912345678"),
        ("\t15012345678\n", "15012345678"),
    ],
)
def test_valid_mobile_numbers_are_normalised(value, expected):
    assert check_mobile(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "12800138000",  # 12x is not a mobile prefix
        "10800138000",
        "23800138000",
        "1380013800",  # 10 digits
        "138001380000",  # 12 digits
        "+85213800138000",  # Hong Kong prefix
        "+86 1380013800",
        "86138001380",  # 86 prefix on a number that is then too short
        "1380013800a",
        "１３８００１３８０００",  # full-width
        "138００１３８０００",  # full-width after an ASCII prefix
        "0571-87654321",  # landline
    ],
)
def test_invalid_mobile_numbers_are_refused(value):
    assert _code_of(check_mobile, value) == "mobile_format"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0571-88886666", "0571-88886666"),
        ("057188886666", "0571-88886666"),
        ("(0571) 8888 6666", "0571-88886666"),
        ("（0571）88886666", "0571-88886666"),
        ("0571-88886666-123", "0571-88886666-123"),
        ("+86-571-88886666", "0571-88886666"),
        ("021-62345678", "021-62345678"),
        ("02162345678", "021-62345678"),
        ("0575-8123456", "0575-8123456"),  # 7-digit local number
        ("400-812-3123", "4008123123"),
    ],
)
def test_phone_numbers_mobile_or_fixed_line(value, expected):
    assert check_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", None, "12345", "0571-1234567", "571-88886666", "0571-888866661", "1380013800", "电话"],
)
def test_bad_phone_numbers(value):
    assert _code_of(check_phone, value) == "phone_format"


def test_phone_masks_keep_area_code_and_last_four():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0571-88886666") == "0571-****6666"
    assert mask_phone("0571-88886666-123") == "0571-****6666"
    assert mask_phone("4008123123") == "400***3123"
    assert mask_phone("123") == "***"


# --- masks and region codes -------------------------------------------------------------------


def test_masks():
    assert mask_citizen_id(GB11643_EXAMPLE) == "110105********002X"
    assert mask_citizen_id("12345") == "*****"
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile("12345") == "*****"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("") == ""


def test_masked_values_keep_no_more_than_they_should():
    masked = mask_citizen_id(GB11643_EXAMPLE)
    assert len(masked) == 18
    assert "19491231" not in masked


@pytest.mark.parametrize("value", ["330106", "330106002", "330106002001"])
def test_region_codes_of_6_9_12_digits(value):
    assert check_region_code(f" {value} ") == value


@pytest.mark.parametrize(
    "value", ["", "33010", "3301060", "33010600", "3301060020011", "33O106", "33０106"]
)
def test_bad_region_codes(value):
    assert _code_of(check_region_code, value) == "region_code_format"
