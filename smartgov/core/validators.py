"""Validators for identifiers used at every entry point: citizen ID, credit code, mobile number.

Each ``check_*`` function returns the normalised value or raises ``InvalidInput`` with a code
that says what is wrong, so forms, the API and importers all report the same reason.
"""

from __future__ import annotations

import re
from datetime import date

from smartgov.core.errors import InvalidInput

# --- GB 11643 citizen ID (公民身份号码) ---------------------------------------------------------

# ASCII only: \d alone also matches full-width and other Unicode digits, which int() accepts.
_CITIZEN_ID_RE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
CITIZEN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CITIZEN_CHECK_CHARS = "10X98765432"
# First two digits of GB/T 2260 province-level codes.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 71 81 82".split()
)


def citizen_id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, CITIZEN_WEIGHTS, strict=True))
    return CITIZEN_CHECK_CHARS[total % 11]


def citizen_id_birth_date(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def check_citizen_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character citizen ID; returns it upper-cased."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise InvalidInput(
            "citizen_id_length", "A citizen ID has 18 characters.", detail={"length": len(value)}
        )
    if not _CITIZEN_ID_RE.match(value):
        raise InvalidInput(
            "citizen_id_format", "A citizen ID is 17 digits followed by a digit or X."
        )
    if value[:2] not in PROVINCE_PREFIXES or value[2:6] == "0000":
        raise InvalidInput("citizen_id_region", "The citizen ID's region code is not valid.")
    try:
        born = citizen_id_birth_date(value)
    except ValueError as exc:
        raise InvalidInput(
            "citizen_id_birth_date", "The citizen ID's birth date is not a date."
        ) from exc
    today = today or date.today()
    if born < date(1890, 1, 1) or born > today:
        raise InvalidInput("citizen_id_birth_date", "The citizen ID's birth date is out of range.")
    if citizen_id_check_digit(value[:17]) != value[17]:
        raise InvalidInput("citizen_id_checksum", "The citizen ID's check digit is wrong.")
    return value


def mask_citizen_id(value: str) -> str:
    """330106********1234 style: region prefix and last four kept."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


# --- GB 32100 unified social credit code (统一社会信用代码) --------------------------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_CREDIT_INDEX = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
# Registration authority (first character) and the organisation kinds it may register.
CREDIT_KINDS = {
    "1": "12359",
    "2": "19",
    "3": "12345689",
    "4": "1239",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "1239",
    "Y": "1",
}


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_INDEX[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code; returns it upper-cased."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise InvalidInput(
            "credit_code_length",
            "A unified social credit code has 18 characters.",
            detail={"length": len(value)},
        )
    bad = sorted({c for c in value if c not in _CREDIT_INDEX})
    if bad:
        raise InvalidInput(
            "credit_code_alphabet",
            "The credit code contains characters that are not allowed (I, O, S, V, Z and "
            "anything but digits and capital letters).",
            detail={"characters": bad},
        )
    kinds = CREDIT_KINDS.get(value[0])
    if kinds is None or value[1] not in kinds:
        raise InvalidInput(
            "credit_code_authority",
            "The credit code's registration authority or organisation kind is not valid.",
        )
    if not value[2:8].isdigit() or value[2:4] not in PROVINCE_PREFIXES:
        raise InvalidInput("credit_code_region", "The credit code's region code is not valid.")
    if credit_code_check_char(value[:17]) != value[17]:
        raise InvalidInput("credit_code_checksum", "The credit code's check character is wrong.")
    return value


# --- Mobile numbers ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)


def check_mobile(value: str) -> str:
    """Mainland mobile number: 11 digits starting 13–19; +86 / 86 prefixes and spaces dropped."""
    cleaned = re.sub(r"[\s-]", "", value or "")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    elif cleaned.startswith("86") and len(cleaned) == 13:
        cleaned = cleaned[2:]
    if not _MOBILE_RE.match(cleaned):
        raise InvalidInput(
            "mobile_format", "A mobile number has 11 digits and starts with 13 to 19."
        )
    return cleaned


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[7:] if len(value) == 11 else "*" * len(value)


# Fixed lines: a trunk prefix 0, a 2–3 digit area code (010, 0571 …), a 7–8 digit number and an
# optional extension, written 0571-88886666, 057188886666 or (0571) 8888 6666; and the national
# 400/800 service numbers. Beijing, Tianjin, Shanghai, Chongqing and the 02x areas have 3-digit
# area codes (01x, 02x), every other area 4 digits.
_FIXED_LINE_RE = re.compile(
    r"^(?P<area>0[12]\d|0[3-9]\d{2})-?(?P<number>[2-9]\d{6,7})(?:-(?P<ext>\d{1,6}))?$", re.ASCII
)
_SERVICE_LINE_RE = re.compile(r"^[48]00-?\d{3}-?\d{4}$", re.ASCII)


def check_phone(value: str) -> str:
    """A mobile or fixed-line number: mobiles normalised as check_mobile does, fixed lines to
    area-number(-extension), service numbers to their ten digits."""
    compact = re.sub(r"[\s()（）]", "", value or "")
    try:
        return check_mobile(compact)
    except InvalidInput:
        pass
    if compact.startswith("+86"):
        compact = "0" + compact[3:].lstrip("-")
    if _SERVICE_LINE_RE.match(compact):
        return compact.replace("-", "")
    match = _FIXED_LINE_RE.match(compact)
    if match is None:
        raise InvalidInput(
            "phone_format",
            "A phone number is a mobile number (11 digits starting 13 to 19) or a fixed line "
            "with its area code (e.g. 0571-88886666).",
        )
    extension = f"-{match['ext']}" if match["ext"] else ""
    return f"{match['area']}-{match['number']}{extension}"


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; 0571-****6666 for fixed lines (area code and last four kept)."""
    if len(value) == 11 and value.isdigit():
        return mask_mobile(value)
    area, _, rest = value.partition("-")
    if rest:
        number = rest.split("-")[0]
        return f"{area}-" + "*" * max(len(number) - 4, 0) + number[-4:]
    if len(value) >= 8:  # 400/800 service numbers and anything else long enough
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_name(value: str) -> str:
    """张* / 欧阳** style: the family-name character kept."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


# --- Region codes -----------------------------------------------------------------------------

_REGION_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$", re.ASCII)


def check_region_code(value: str) -> str:
    value = (value or "").strip()
    if not _REGION_CODE_RE.match(value):
        raise InvalidInput("region_code_format", "A region code has 6, 9 or 12 digits (GB/T 2260).")
    return value
