"""Row validation: one precompiled checker per field, so the hot loop does no lookups.

``build_checker(column)`` returns a function taking the raw value (text from CSV, a Python value
from XLSX or JSON) and returning the value to store, or raising ``Rejected`` with a code and an
English reason (translated when the report is shown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from smartgov.core.errors import InvalidInput
from smartgov.core.validators import (
    check_citizen_id,
    check_credit_code,
    check_phone,
    check_region_code,
)

_INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$", re.ASCII)
_TRUE = frozenset({"1", "true", "t", "yes", "y", "是"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "否"})
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)


class Rejected(Exception):
    """A value that cannot be stored: code and English reason for the rejection report."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _text(value) -> str:
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _integer(value):
    if isinstance(value, bool):
        raise Rejected("integer_format", gettext_noop("Not a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).replace(",", "")
    if not _INTEGER_RE.match(text):
        raise Rejected("integer_format", gettext_noop("Not a whole number."))
    return int(text)


def _decimal(value):
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        raise Rejected("decimal_format", gettext_noop("Not a decimal number.")) from None
    if not number.is_finite():
        raise Rejected("decimal_format", gettext_noop("Not a decimal number."))
    return number


def _boolean(value):
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Rejected("boolean_format", gettext_noop("Not a yes/no value (use true/false or 1/0)."))


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Rejected("date_format", gettext_noop("Not a date (use YYYY-MM-DD).")) from None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Rejected("date_format", gettext_noop("Not a date (use YYYY-MM-DD)."))


def _datetime(value):
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _text(value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DATETIME_FORMATS:
                try:
                    moment = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise Rejected(
                    "datetime_format",
                    gettext_noop("Not a date and time (use YYYY-MM-DD HH:MM:SS)."),
                ) from None
    if timezone.is_naive(moment):
        # Times without an offset are local (Asia/Shanghai).
        moment = timezone.make_aware(moment)
    return moment.astimezone(UTC)


def _identifier(check: Callable[[str], str]):
    def run(value):
        try:
            return check(value.strip() if value.__class__ is str else _text(value))
        except InvalidInput as exc:
            raise Rejected(exc.code, str(exc.raw_message)) from None

    return run


_PARSERS: dict[str, Callable] = {
    "string": _text,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "citizen_id": None,  # built per checker: today's date is fixed once, not read per row
    "credit_code": _identifier(check_credit_code),
    "region_code": _identifier(check_region_code),
    "phone": _identifier(check_phone),
    "enum": _text,
}


def storage_adapter(data_type: str) -> Callable | None:
    """Conversion from the parsed value to what the database column takes (None: as is)."""
    if connection.vendor == "postgresql":
        return None
    if data_type == "decimal":
        return str
    if data_type == "datetime":
        return lambda moment: moment.isoformat()
    return None


def build_checker(column: dict) -> Callable:
    """The checker for one field: emptiness, type, length, enumeration, identifiers."""
    parse = _PARSERS[column["data_type"]]
    if column["data_type"] == "citizen_id":
        parse = _identifier(partial(check_citizen_id, today=date.today()))
    required = column["required"]
    max_length = column.get("max_length")
    enum_values = frozenset(column.get("enum_values") or ())
    adapt = storage_adapter(column["data_type"])
    is_text = column["data_type"] in ("string", "enum")

    def check(value):
        if value is None or (value.__class__ is str and not value.strip()):
            if required:
                raise Rejected("required", gettext_noop("A value is required."))
            return None
        if value.__class__ is str and "\x00" in value:
            # PostgreSQL cannot store it, and no government record means it.
            raise Rejected("nul_character", gettext_noop("The value contains a NUL character."))
        parsed = parse(value)
        if is_text:
            if max_length and len(parsed) > max_length:
                raise Rejected("too_long", gettext_noop("The value is longer than allowed."))
            if enum_values and parsed not in enum_values:
                raise Rejected(
                    "not_in_enum", gettext_noop("The value is not one of the allowed values.")
                )
        return adapt(parsed) if adapt is not None else parsed

    return check


def canonical(data_type: str) -> Callable:
    """Comparable text of a stored or parsed value, whatever the database returned it as."""
    if data_type == "decimal":
        return lambda v: None if v is None else str(Decimal(str(v)).normalize())
    if data_type == "date":
        return lambda v: None if v is None else (v if isinstance(v, str) else v.isoformat())
    if data_type == "datetime":

        def moment(v):
            if v is None:
                return None
            if isinstance(v, str):
                v = datetime.fromisoformat(v)
            return v.astimezone(UTC).isoformat()

        return moment
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: v


def output(data_type: str) -> Callable:
    """JSON-friendly value of a stored value (exports and the API)."""
    canon = canonical(data_type)
    if data_type == "decimal":
        return lambda v: None if v is None else str(v)
    if data_type in ("date", "datetime", "boolean"):
        return canon
    return lambda v: v
