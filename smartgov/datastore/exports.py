"""Streamed exports of a resource's rows (current or as of a version): CSV, JSON, XLSX, Parquet.

CSV and JSON are generated chunk by chunk as rows are read. XLSX (openpyxl write-only) and
Parquet (pyarrow, one row group per batch) are written to a temporary file, which is then
streamed and deleted, so memory stays flat for a million-row resource.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from datetime import date, datetime

from smartgov.datastore.models import StoreTable
from smartgov.datastore.selectors import BATCH_ROWS, iter_rows

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
}
_FILE_CHUNK = 256 * 1024


def _names(table: StoreTable) -> list[str]:
    return [c["name"] for c in table.schema]


def _batched(rows: Iterator[list], size: int = 1000) -> Iterator[list[list]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_chunks(table: StoreTable, version: int | None) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel opens it), header of field names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_names(table))
    yield ("\ufeff" + buffer.getvalue()).encode()
    for batch in _batched(iter_rows(table, version)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(["" if v is None else v for v in row] for row in batch)
        yield buffer.getvalue().encode()


def json_chunks(table: StoreTable, version: int | None) -> Iterator[bytes]:
    """A JSON array of objects keyed by field name."""
    names = _names(table)
    yield b"["
    first = True
    for batch in _batched(iter_rows(table, version)):
        parts = [
            json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in batch
        ]
        text = ",\n".join(parts)
        yield (text if first else ",\n" + text).encode()
        first = False
    yield b"]"


def _stream_file(handle) -> Iterator[bytes]:
    try:
        handle.seek(0)
        while chunk := handle.read(_FILE_CHUNK):
            yield chunk
    finally:
        handle.close()


def xlsx_chunks(table: StoreTable, version: int | None) -> Iterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(_names(table))
    parsers = [_xlsx_value(c["data_type"]) for c in table.schema]
    for row in iter_rows(table, version):
        sheet.append([p(v) for p, v in zip(parsers, row, strict=True)])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stream_file
    workbook.save(handle)
    yield from _stream_file(handle)


def _xlsx_value(data_type: str):
    if data_type == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if data_type == "datetime":
        # Excel has no time zones: write the UTC moment without its offset.
        return lambda v: None if v is None else datetime.fromisoformat(v).replace(tzinfo=None)
    return lambda v: v


def _arrow_type(data_type: str):
    import pyarrow as pa

    return {
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"),
    }.get(data_type, pa.string())  # decimals as text: exact, whatever their scale


def parquet_chunks(table: StoreTable, version: int | None) -> Iterator[bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c["name"], _arrow_type(c["data_type"])) for c in table.schema])
    parsers = [_parquet_value(c["data_type"]) for c in table.schema]
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stream_file
    writer = pq.ParquetWriter(handle, schema)
    for batch in _batched(iter_rows(table, version), BATCH_ROWS * 10):
        columns = [
            pa.array([p(row[i]) for row in batch], type=schema.field(i).type)
            for i, p in enumerate(parsers)
        ]
        writer.write_table(pa.Table.from_arrays(columns, schema=schema))
    writer.close()
    yield from _stream_file(handle)


def _parquet_value(data_type: str):
    if data_type == "date":
        return lambda v: None if v is None else date.fromisoformat(v)
    if data_type == "datetime":
        return lambda v: None if v is None else datetime.fromisoformat(v)
    return lambda v: v


WRITERS = {"csv": csv_chunks, "json": json_chunks, "xlsx": xlsx_chunks, "parquet": parquet_chunks}
