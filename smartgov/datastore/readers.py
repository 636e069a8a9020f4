"""Streaming readers for delivered files: CSV (UTF-8 / GB18030), XLSX, JSON array and NDJSON.

Each reader yields ``(row_number, row)`` one at a time, where a row is a list aligned with the
header (tabular files) or a dict (JSON). The file is never loaded whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator

from django.utils.translation import gettext_noop

from smartgov.core.errors import InvalidInput

_SNIFF_BYTES = 64 * 1024
_READ_BYTES = 256 * 1024


def bad_encoding() -> InvalidInput:
    return InvalidInput(
        "bad_encoding",
        gettext_noop("The file is neither UTF-8 nor GB18030 text."),
    )


def detect_encoding(stream) -> str:
    """UTF-8 (with or without BOM) when the start decodes strictly as UTF-8, else GB18030."""
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8-sig")("strict").decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")("strict").decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise bad_encoding() from None


def _decoded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    try:
        yield from text
    except UnicodeDecodeError:
        raise bad_encoding() from None


def read_csv_header(stream) -> tuple[str, list[str]]:
    """The encoding and header row of a CSV file; the stream is left at its start."""
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        # Not through _decoded_lines: closing that generator would close the upload.
        header = next(csv.reader(text), [])
    except UnicodeDecodeError:
        raise bad_encoding() from None
    except csv.Error as exc:
        raise InvalidInput(
            "bad_csv", gettext_noop("The file is not valid CSV."), detail=str(exc)
        ) from None
    finally:
        text.detach()  # closing the wrapper would close the upload too
    stream.seek(0)
    return encoding, [name.strip() for name in header]


def read_csv(stream) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Header and rows of a CSV file; row numbers count the header as row 1."""
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(_decoded_lines(text))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise InvalidInput(
            "bad_csv", gettext_noop("The file is not valid CSV."), detail=str(exc)
        ) from None
    header = [name.strip() for name in header]

    def rows():
        number = 1
        try:
            for row in reader:
                number += 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                yield number, row
        except csv.Error as exc:
            raise InvalidInput(
                "bad_csv", gettext_noop("The file is not valid CSV."), detail=str(exc)
            ) from None

    return header, rows()


def read_xlsx(stream) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """Header and rows of the first sheet of a workbook (openpyxl read-only mode)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InvalidInput(
            "bad_xlsx", gettext_noop("The file is not a readable XLSX workbook.")
        ) from exc
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        first = ()
    header = [str(v).strip() if v is not None else "" for v in first]
    while header and header[-1] == "":
        header.pop()
    width = len(header)

    def rows():
        try:
            for number, row in enumerate(values, start=2):
                row = list(row)
                # Trailing empty cells are formatting, not ragged data.
                while len(row) > width and row[-1] is None:
                    row.pop()
                if all(v is None for v in row):
                    continue
                yield number, row
        finally:
            workbook.close()

    return header, rows()


def read_ndjson(stream) -> Iterator[tuple[int, object]]:
    text = io.TextIOWrapper(stream, encoding=detect_encoding(stream), errors="strict")
    for number, line in enumerate(_decoded_lines(text), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError:
            yield number, _BadJson()


class _BadJson:
    """A record that is not valid JSON (rejected as a row)."""


def read_json_array(stream) -> Iterator[tuple[int, object]]:
    """Elements of a top-level JSON array, decoded one by one from a sliding buffer."""
    decoder = json.JSONDecoder()
    reader = codecs.getreader(detect_encoding(stream))(stream, errors="strict")

    def more() -> str:
        try:
            return reader.read(_READ_BYTES)
        except UnicodeDecodeError:
            raise bad_encoding() from None

    buffer, position, eof = more(), 0, False
    not_array = InvalidInput("bad_json", gettext_noop("The file is not a JSON array of records."))

    def skip(buf: str, pos: int) -> int:
        while pos < len(buf) and buf[pos] in " \t\r\n":
            pos += 1
        return pos

    position = skip(buffer, position)
    if position >= len(buffer) or buffer[position] != "[":
        raise not_array
    position += 1
    number, expect_item = 0, True
    while True:
        position = skip(buffer, position)
        if position >= len(buffer) - 1 and not eof:
            chunk = more()
            eof = not chunk
            buffer, position = buffer[position:] + chunk, 0
            continue
        if position >= len(buffer):
            raise not_array
        char = buffer[position]
        if char == "]":
            return
        if char == "," and not expect_item:
            position, expect_item = position + 1, True
            continue
        try:
            item, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError:
            if eof:
                raise not_array from None
            chunk = more()
            eof = not chunk
            buffer, position = buffer[position:] + chunk, 0
            continue
        if end >= len(buffer) and not eof:
            # A number at the buffer's end may continue in the next chunk: re-read it.
            chunk = more()
            if chunk:
                buffer, position = buffer[position:] + chunk, 0
                continue
            eof = True
        number += 1
        yield number, item
        position, expect_item = end, False
