"""The columnar fast path agrees with the row checker: every value Arrow vouches for is one the
row checker accepts and stores the same way; canonical values are vouched for (so the fast path
really is taken); everything else is left to the row checker."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from smartgov.core.validators import citizen_id_check_digit, credit_code_check_char
from smartgov.datastore.columnar import column_checker
from smartgov.datastore.validation import Rejected, build_checker

TODAY = date.today()
ALPHABET = "0123456789X x-/.:+,Ab是否\u3000\t\n\x1c中"


def _citizen_ids(rng: random.Random, count: int) -> list[str]:
    values = []
    for _ in range(count):
        born = date(rng.randint(1880, TODAY.year), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{rng.choice(['33', '11', '99', '00'])}{rng.randint(0, 9999):04d}"
        first17 += f"{born:%Y%m%d}{rng.randint(0, 999):03d}"
        values.append(first17 + citizen_id_check_digit(first17))
    return values


def _credit_codes(rng: random.Random, count: int) -> list[str]:
    values = []
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(count):
        head = rng.choice(["91", "92", "12", "52", "1Y", "A1", "Y1", "93", "95"])
        first17 = (
            head
            + rng.choice(["330106", "110105", "990000", "33A106"])
            + "".join(rng.choice(alphabet) for _ in range(9))
        )
        values.append(first17 + credit_code_check_char(first17))
    return values


def _mutations(rng: random.Random, values: list[str]) -> list[str]:
    """Each value with one character changed, dropped, doubled, cased or padded."""
    out = []
    for value in values:
        position = rng.randrange(len(value)) if value else 0
        kind = rng.randrange(6)
        if kind == 0:
            out.append(value[:position] + rng.choice(ALPHABET) + value[position + 1 :])
        elif kind == 1:
            out.append(value[:position] + value[position + 1 :])
        elif kind == 2:
            out.append(value[:position] + value[position : position + 1] * 2 + value[position:])
        elif kind == 3:
            out.append(value.lower())
        elif kind == 4:
            out.append(rng.choice([" ", "\t", "\u3000", "\x1c"]) + value)
        else:
            out.append(value + rng.choice([" ", "\n", "\u3000"]))
    return out


def _noise(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 20))) for _ in range(count)]


def _corpus(data_type: str) -> tuple[list[str], list[str]]:
    """(canonical values the fast path must vouch for, other values of every kind)."""
    rng = random.Random(f"columnar-{data_type}")
    days = [date.fromordinal(rng.randint(1, 3_652_059)) for _ in range(300)]
    canonical = {
        "citizen_id": [v for v in _citizen_ids(rng, 400) if _python_ok(data_type, v)],
        "credit_code": [v for v in _credit_codes(rng, 400) if _python_ok(data_type, v)],
        "date": [d.isoformat() for d in days],
        "integer": [str(rng.randint(-(10**17), 10**17)) for _ in range(200)] + ["0", "-0"],
        "decimal": ["0", "12345.50", "-0.0", "3.14159", "1000000", "-7.25"],
        "region_code": ["330106", "330106002", "330106002001"],
        "phone": ["13800138000", "19912345678", "0571-88886666", "010-62345678", "4008123123"],
        "boolean": ["true", "false", "1", "0", "YES", "No", "是", "否", "T", "f"],
        "string": ["张三", "浙江省杭州市西湖区文三路90号", "a b", "x\ny"],
    }[data_type]
    others = _mutations(rng, canonical * 3) + _noise(rng, 600)
    others += ["", " ", "\u3000", "0000-01-01", "2024-02-30", "2023-02-29", "2024-02-29"]
    others += ["19900101", "1990/01/01", "+5", "007", "1,000", "1e5", "NaN", "-", "0571 88886666"]
    others += [v.lower() for v in canonical] + [f" {v} " for v in canonical]
    return canonical, others


def _python_ok(data_type: str, value: str) -> bool:
    column = {"data_type": data_type, "required": False}
    try:
        build_checker(column)(value)
    except Rejected:
        return False
    return True


def _same_stored(data_type: str, python_value, fast_value) -> bool:
    if python_value is None or fast_value is None:
        return python_value is fast_value
    if data_type == "date":
        return python_value.isoformat() == fast_value
    if data_type == "decimal":
        return str(python_value) == fast_value and Decimal(fast_value) == Decimal(python_value)
    return python_value == fast_value and type(python_value) is type(fast_value)


TYPES = [
    "citizen_id",
    "credit_code",
    "date",
    "integer",
    "decimal",
    "region_code",
    "phone",
    "boolean",
    "string",
]


@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize("data_type", TYPES)
def test_fast_path_agrees_with_the_row_checker(data_type, required):
    column = {"data_type": data_type, "required": required}
    slow = build_checker(column)
    fast = column_checker(column, today=TODAY)
    canonical, others = _corpus(data_type)
    values = canonical + others
    ok, stored = fast(pa.array(values, pa.string()))
    vouched, stored = ok.to_pylist(), stored.to_pylist()
    for value, fast_ok, fast_value in zip(values, vouched, stored, strict=True):
        if not fast_ok:
            continue
        try:
            python_value = slow(value)
        except Rejected as exc:
            pytest.fail(f"{data_type}: fast path accepted {value!r}, row checker: {exc.code}")
        assert _same_stored(data_type, python_value, fast_value), (value, python_value, fast_value)
    assert all(vouched[: len(canonical)]), [
        v for v, good in zip(canonical, vouched, strict=False) if not good
    ]
    # The corpus has values on both sides of the line.
    assert not all(vouched)


def test_text_rules_length_and_enumeration():
    column = {"data_type": "enum", "required": True, "max_length": 2, "enum_values": ["男", "女"]}
    ok, stored = column_checker(column, today=TODAY)(pa.array(["男", "女 ", "未知", "", "女"]))
    stored = stored.to_pylist()
    assert ok.to_pylist() == [True, False, False, False, True]
    assert stored == ["男", None, None, None, "女"]
    column = {"data_type": "string", "required": False, "max_length": 3}
    ok, stored = column_checker(column, today=TODAY)(pa.array(["abc", "abcd", "", "张三丰"]))
    assert ok.to_pylist() == [True, False, True, True]
    assert stored.to_pylist() == ["abc", None, None, "张三丰"]


def test_citizen_id_born_tomorrow_is_left_to_the_row_checker():
    # Today read here, not at import: a run that crosses midnight (Asia/Shanghai, 16:00 UTC)
    # would otherwise call "tomorrow" a day the row checker already counts as today.
    today = date.today()
    tomorrow = today.fromordinal(today.toordinal() + 1)
    first17 = f"330106{tomorrow:%Y%m%d}001"
    value = first17 + citizen_id_check_digit(first17)
    ok, _ = column_checker({"data_type": "citizen_id", "required": False}, today=today)(
        pa.array([value])
    )
    assert ok.to_pylist() == [False] and not _python_ok("citizen_id", value)


def test_datetime_columns_are_checked_value_by_value():
    column = {"data_type": "datetime", "required": False}
    ok, stored = column_checker(column, today=TODAY)(
        pa.array(["2024-05-01 08:30:00", "yesterday", ""])
    )
    assert ok.to_pylist() == [True, False, True]
    stored = stored.to_pylist()
    assert stored[0] == build_checker(column)("2024-05-01 08:30:00") and stored[2] is None
