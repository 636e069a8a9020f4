"""The columnar fast path for CSV deliveries: Apache Arrow parses the file in C++ and checks
whole columns at once; Python looks only at the values Arrow could not vouch for.

Arrow recognises each field type's *canonical* spellings — a citizen ID of 17 digits and a
digit or X with the right check digit and a real birth date, ``YYYY-MM-DD`` dates, plain
integers, and so on — and accepts a value only when the row-by-row checker of
``validation.py`` would store exactly the same thing. Anything else (other date spellings,
stray spaces, lower-case ``x``, wrong values) goes to that checker, which stays the single
authority on what is valid and why not. The differential tests in
tests/datastore/test_columnar.py hold the two to the same answers.

The file is read in blocks (constant memory). A file that Arrow cannot split into rows the
way the row reader does (a ragged row, a row longer than a block) is handed back by raising
``NotColumnar``; the caller rolls back what it stored and reads the file row by row.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from smartgov.core.validators import (
    CITIZEN_CHECK_CHARS,
    CITIZEN_WEIGHTS,
    CREDIT_ALPHABET,
    CREDIT_KINDS,
    CREDIT_WEIGHTS,
    PROVINCE_PREFIXES,
)
from smartgov.datastore.validation import Rejected, build_checker

BLOCK_BYTES = 1 << 20

# Characters Python's str.strip() removes; a value starting or ending with one is not canonical.
_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace())
_CLEAN = f"(?s)^[^{_SPACE}](?:.*[^{_SPACE}])?$"
_CITIZEN_ID = r"^\d{17}[\dX]$"
_CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_REGION_CODE = r"^(?:\d{6}|\d{9}|\d{12})$"
_PHONE = r"^(?:1[3-9]\d{9}|[48]00\d{7}|(?:0[12]\d|0[3-9]\d{2})-[2-9]\d{6,7}(?:-\d{1,6})?)$"
_INTEGER = r"^-?\d{1,18}$"
_DECIMAL = r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$"
_ISO_DATE = r"^(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})-\d{2}-\d{2}$"
_TRUE = ("1", "true", "t", "yes", "y", "是")
_FALSE = ("0", "false", "f", "no", "n", "否")
_PROVINCE_NUMBERS = np.array(sorted(int(p) for p in PROVINCE_PREFIXES))
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_CITIZEN_WEIGHT_VECTOR = np.array(CITIZEN_WEIGHTS, dtype=np.int64)
_CITIZEN_CHECK_BYTES = np.frombuffer(CITIZEN_CHECK_CHARS.encode(), dtype=np.uint8)
_CREDIT_WEIGHT_VECTOR = np.array(CREDIT_WEIGHTS, dtype=np.int64)
_CREDIT_CHECK_BYTES = np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)
# Byte -> position in the credit-code alphabet; (first byte, second byte) -> allowed kind.
_CREDIT_INDEX_TABLE = np.zeros(256, dtype=np.int64)
_CREDIT_INDEX_TABLE[np.frombuffer(CREDIT_ALPHABET.encode(), dtype=np.uint8)] = np.arange(31)
_CREDIT_KIND_TABLE = np.zeros((256, 256), dtype=bool)
for _authority, _kinds in CREDIT_KINDS.items():
    for _kind in _kinds:
        _CREDIT_KIND_TABLE[ord(_authority), ord(_kind)] = True


class NotColumnar(Exception):
    """The file needs the row-by-row reader."""


@dataclass
class Batch:
    """Checked rows of one block: their numbers, the stored values per schema column (Arrow
    arrays, null where not vouched for) and which values Arrow vouched for (``vouched``, None
    for a column the file lacks), which rows it vouched for entirely (``good``) and the
    positions of the others (``doubtful``)."""

    numbers: list[int]
    columns: list[pa.Array]
    vouched: list[pa.Array | None]
    good: pa.BooleanArray
    doubtful: list[int]
    raw: pa.RecordBatch
    positions: list[int | None]

    def doubtful_rows(self) -> list[tuple[int, list, list[int]]]:
        """Each doubtful row's number, its values in schema order — the stored value where
        Arrow vouched for it, else the raw text (None for a column the file lacks) — and the
        schema positions the row checker still has to decide."""
        rows = pa.array(self.doubtful, pa.int64())
        taken = self.raw.take(rows)
        values, pending = [], []
        for index, position in enumerate(self.positions):
            if position is None:
                values.append([None] * len(self.doubtful))
                pending.append([False] * len(self.doubtful))
                continue
            stored = self.columns[index].take(rows).to_pylist()
            raw = taken.column(position).to_pylist()
            ok = self.vouched[index].take(rows).to_pylist()
            values.append([s if good else r for s, r, good in zip(stored, raw, ok, strict=True)])
            pending.append([not good for good in ok])
        out = []
        for n, row in enumerate(self.doubtful):
            out.append(
                (
                    self.numbers[row],
                    [column[n] for column in values],
                    [i for i, column in enumerate(pending) if column[n]],
                )
            )
        return out

    def good_columns(self) -> list[pa.Array]:
        if not self.doubtful:
            return self.columns
        return [pc.filter(column, self.good) for column in self.columns]

    def good_numbers(self) -> list[int]:
        if not self.doubtful:
            return self.numbers
        skip = set(self.doubtful)
        return [n for i, n in enumerate(self.numbers) if i not in skip]


def _all(*masks):
    result = masks[0]
    for mask in masks[1:]:
        result = pc.and_kleene(result, mask)
    return result


def _matrix(values: pa.Array, shaped: pa.Array, width: int, filler: str) -> np.ndarray:
    """The values as an (n, width) matrix of bytes; rows that are not ``shaped`` (``width``
    ASCII characters) hold ``filler`` instead."""
    if len(values) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    safe = pc.if_else(shaped, values, pa.scalar(filler))
    offsets = np.frombuffer(safe.buffers()[1], dtype=np.int32)[safe.offset :][: len(safe) + 1]
    data = np.frombuffer(safe.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(len(safe), width)


def _days_ok(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether year-month-day names a real day (proleptic Gregorian, as Python's date)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    return month_ok & (day >= 1) & (day <= last)


def _number(digits: np.ndarray) -> np.ndarray:
    """The decimal number each row of a digit matrix spells."""
    return digits @ (10 ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64))


def _citizen_id(values: pa.Array, today: date) -> pa.Array:
    shaped = pc.match_substring_regex(values, _CITIZEN_ID)
    m = _matrix(values, shaped, 18, "110101190001010000")
    digits = m[:, :17].astype(np.int64) - 48
    province = np.isin(_number(digits[:, 0:2]), _PROVINCE_NUMBERS)
    county = _number(digits[:, 2:6]) != 0
    year, month, day = (
        _number(digits[:, 6:10]),
        _number(digits[:, 10:12]),
        _number(digits[:, 12:14]),
    )
    ymd = year * 10000 + month * 100 + day
    born = _days_ok(year, month, day) & (ymd >= 18900101) & (ymd <= _ymd(today))
    checked = _CITIZEN_CHECK_BYTES[(digits @ _CITIZEN_WEIGHT_VECTOR) % 11] == m[:, 17]
    return pc.and_(shaped, pa.array(province & county & born & checked))


def _credit_code(values: pa.Array) -> pa.Array:
    shaped = pc.match_substring_regex(values, _CREDIT_CODE)
    m = _matrix(values, shaped, 18, "911100000000000000")
    kind = _CREDIT_KIND_TABLE[m[:, 0], m[:, 1]]
    region_digits = (m[:, 2:8] >= 48) & (m[:, 2:8] <= 57)
    region = region_digits.all(axis=1) & np.isin(
        (m[:, 2].astype(np.int64) - 48) * 10 + m[:, 3] - 48, _PROVINCE_NUMBERS
    )
    total = _CREDIT_INDEX_TABLE[m[:, :17]] @ _CREDIT_WEIGHT_VECTOR
    checked = _CREDIT_CHECK_BYTES[(31 - total % 31) % 31] == m[:, 17]
    return pc.and_(shaped, pa.array(kind & region & checked))


def _iso_date(values: pa.Array) -> pa.Array:
    shaped = pc.match_substring_regex(values, _ISO_DATE)
    m = _matrix(values, shaped, 10, "2000-01-01").astype(np.int64) - 48
    valid = _days_ok(_number(m[:, 0:4]), _number(m[:, 5:7]), _number(m[:, 8:10]))
    return pc.and_(shaped, pa.array(valid))


def _ymd(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


# A column checker takes the raw text column (no nulls; empty cells are "") and returns the
# mask of values it vouches for, and the stored value of each (null where it does not vouch).
ColumnChecker = Callable[[pa.Array], tuple[pa.Array, pa.Array]]


def column_checker(column: dict, *, today: date) -> ColumnChecker:
    """The vectorised checker of one field, or one that runs the row checker value by value
    (date-times, whose time-zone arithmetic stays in Python)."""
    data_type = column["data_type"]
    required = column["required"]
    max_length = column.get("max_length")
    enum_values = column.get("enum_values") or []

    def finish(values: pa.Array, ok: pa.Array, stored: pa.Array) -> tuple[pa.Array, pa.Array]:
        empty = pc.equal(values, "")
        ok = pc.if_else(empty, pa.scalar(not required), ok)
        return ok, pc.if_else(pc.and_(ok, pc.invert(empty)), stored, None)

    if data_type in ("string", "enum"):

        def text(values):
            ok = pc.and_(
                pc.match_substring_regex(values, _CLEAN),
                pc.invert(pc.match_substring(values, "\x00")),
            )
            if max_length:
                ok = pc.and_(ok, pc.less_equal(pc.utf8_length(values), max_length))
            if enum_values:
                ok = pc.and_(ok, pc.is_in(values, value_set=pa.array(enum_values)))
            return finish(values, ok, values)

        return text
    if data_type == "citizen_id":
        return lambda values: finish(values, _citizen_id(values, today), values)
    if data_type == "credit_code":
        return lambda values: finish(values, _credit_code(values), values)
    if data_type == "region_code":
        return lambda values: finish(values, pc.match_substring_regex(values, _REGION_CODE), values)
    if data_type == "phone":
        return lambda values: finish(values, pc.match_substring_regex(values, _PHONE), values)
    if data_type == "date":
        return lambda values: finish(values, _iso_date(values), values)
    if data_type == "decimal":
        return lambda values: finish(values, pc.match_substring_regex(values, _DECIMAL), values)
    if data_type == "integer":

        def integer(values):
            ok = pc.match_substring_regex(values, _INTEGER)
            numbers = pc.cast(pc.if_else(ok, values, pa.scalar("0")), pa.int64())
            return finish(values, ok, numbers)

        return integer
    if data_type == "boolean":

        def boolean(values):
            lowered = pc.utf8_lower(values)
            true = pc.is_in(lowered, value_set=pa.array(_TRUE))
            ok = pc.or_(true, pc.is_in(lowered, value_set=pa.array(_FALSE)))
            return finish(values, ok, true)

        return boolean
    return _row_checker(build_checker(column))


def _row_checker(check: Callable) -> ColumnChecker:
    def run(values: pa.Array) -> tuple[pa.Array, pa.Array]:
        ok, stored = [], []
        for value in values.to_pylist():
            try:
                stored.append(check(value))
                ok.append(True)
            except Rejected:
                stored.append(None)
                ok.append(False)
        return pa.array(ok, pa.bool_()), pa.array(stored)

    return run


def prefetched(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """The blocks of ``batches`` read ahead in a thread: Arrow parses and checks block n+1
    (releasing the GIL) while the caller stores block n. An error in the reader is raised to
    the caller where the block would have come."""
    blocks: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def offer(item) -> bool:
        """Hand an item over, unless the caller has stopped listening."""
        while not stop.is_set():
            try:
                blocks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(done)
        except BaseException as exc:  # handed to the caller, raised there
            offer(exc)

    reader = threading.Thread(target=read, name="columnar-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = blocks.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def read_batches(
    stream,
    *,
    encoding: str,
    width: int,
    positions: list[int | None],
    schema: list[dict],
    today: date,
) -> Iterator[Batch]:
    """Checked blocks of a CSV file with ``width`` columns whose header (already read and
    checked: ``positions`` places each schema column in it) is skipped."""
    checkers = [column_checker(c, today=today) for c in schema]
    reader_options = pa_csv.ReadOptions(
        block_size=BLOCK_BYTES,
        encoding="utf8" if encoding == "utf-8-sig" else encoding,
        column_names=[f"c{i}" for i in range(width)],
        skip_rows=1,
    )
    parse_options = pa_csv.ParseOptions(
        newlines_in_values=True,
        ignore_empty_lines=False,
        # A ragged row: the row reader numbers and reports it; Arrow would lose its place.
        invalid_row_handler=lambda row: "error",
    )
    convert_options = pa_csv.ConvertOptions(
        column_types={f"c{i}": pa.string() for i in range(width)},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    try:
        reader = pa_csv.open_csv(
            stream,
            read_options=reader_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise NotColumnar(str(exc)) from None
    number = 1
    while True:
        try:
            block = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise NotColumnar(str(exc)) from None
        size = block.num_rows
        numbers = list(range(number + 1, number + 1 + size))
        number += size
        everything = pa.array(np.ones(size, dtype=bool))
        columns, vouched = [], []
        for position, check in zip(positions, checkers, strict=True):
            if position is None:
                columns.append(pa.nulls(size))
                vouched.append(None)
                continue
            ok, stored = check(block.column(position))
            columns.append(stored)
            vouched.append(ok)
        masks = [ok for ok in vouched if ok is not None]
        good = _all(*masks) if masks else everything
        # A line of empty cells may be a blank line: the row checker decides.
        blank = _all(*[pc.equal(c, "") for c in block.columns])
        good = pc.and_(good, pc.invert(blank))
        doubtful = pc.indices_nonzero(pc.invert(good)).to_pylist()
        yield Batch(numbers, columns, vouched, good, doubtful, block, positions)
