"""Writing one delivery into a resource's table: rows aligned with the schema, checked, and
stored as a new version (insert new keys, version changed rows, keep unchanged ones).

Rows arrive from three feeds: the row reader (``tabular_rows``: CSV, XLSX), JSON records
(``record_rows``: files and API pushes), and the columnar fast path for CSV files
(``columnar.read_batches``), whose doubtful rows are checked here row by row like the others.
"""

# SQL here names tables and columns: field names match catalog's FIELD_NAME_RE and are quoted
# with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_noop

from smartgov.core.errors import InvalidInput
from smartgov.datastore import columnar, db, readers
from smartgov.datastore.columnar import Batch
from smartgov.datastore.models import Delivery, Rejection, StoreTable
from smartgov.datastore.validation import Rejected, build_checker, canonical

CHUNK_ROWS = 5000
LOOKUP_BATCH = 2000
REJECTION_BATCH = 1000
VALUE_LIMIT = 200
FIELD_LIMIT = 63


@dataclass
class Counts:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class TableWriter:
    """Writes validated rows of one delivery as version ``version`` of one table."""

    table: StoreTable
    version: int
    delivery: Delivery
    counts: Counts = field(default_factory=Counts)
    # Current rows this delivery kept unchanged (replace mode keeps them; a repeat is a duplicate).
    kept: set = field(default_factory=set)
    rejections: list = field(default_factory=list)
    # While a bulk load streams rows, rejections wait (see bulk_load).
    bulk: bool = False

    def __post_init__(self) -> None:
        schema = self.table.schema
        self.names = [c["name"] for c in schema]
        self.key_idx = [i for i, c in enumerate(schema) if c["is_key"]]
        self.canons = [canonical(c["data_type"]) for c in schema]
        self.t = db.q(self.table.table_name)
        cols = ", ".join(db.q(n) for n in self.names)
        self.insert_columns = ["_version_from", *self.names]
        self.select_cols = f"_row_id, _version_from, {cols}" if cols else "_row_id, _version_from"
        self.fresh = not db.has_current_rows(self.table.table_name)

    def reset(self) -> None:
        """Forget what this writer counted and kept (its rows were rolled back)."""
        self.counts = Counts()
        self.kept = set()
        self.rejections = []
        self.fresh = not db.has_current_rows(self.table.table_name)
        self.bulk = False

    def key(self, values) -> tuple:
        canons = self.canons
        return tuple(canons[i](values[i]) for i in self.key_idx)

    def reject(self, number: int, name: str, value, code: str, reason: str) -> None:
        # A NUL cannot be stored in PostgreSQL text; the report shows it as the NUL symbol.
        text = "" if value is None else str(value).replace("\x00", "\u2400")
        self.rejections.append(
            Rejection(
                delivery=self.delivery,
                row_number=number,
                field=str(name).replace("\x00", "\u2400")[:FIELD_LIMIT],
                value=text[:VALUE_LIMIT],
                code=code,
                reason=reason,
            )
        )
        if len(self.rejections) >= REJECTION_BATCH and not self.bulk:
            self.flush_rejections()

    def flush_rejections(self) -> None:
        if self.rejections:
            Rejection.objects.bulk_create(self.rejections, batch_size=REJECTION_BATCH)
            self.rejections = []

    def _current(self, keys: list[tuple]) -> dict:
        """Current rows for these keys: key -> (row id, version from, canonical values)."""
        found = {}
        key_names = [db.q(self.names[i]) for i in self.key_idx]
        with connection.cursor() as cursor:
            for start in range(0, len(keys), LOOKUP_BATCH):
                batch = keys[start : start + LOOKUP_BATCH]
                if len(key_names) == 1:
                    where = f"{key_names[0]} IN ({', '.join(['%s'] * len(batch))})"
                    params = [k[0] for k in batch]
                else:
                    row = "(" + ", ".join(["%s"] * len(key_names)) + ")"
                    where = f"({', '.join(key_names)}) IN (VALUES {', '.join([row] * len(batch))})"
                    params = [v for k in batch for v in k]
                cursor.execute(
                    f"SELECT {self.select_cols} FROM {self.t} "
                    f"WHERE _version_to IS NULL AND {where}",
                    params,
                )
                for row in cursor.fetchall():
                    values = tuple(c(v) for c, v in zip(self.canons, row[2:], strict=True))
                    found[tuple(values[i] for i in self.key_idx)] = (row[0], row[1], values)
        return found

    def _close(self, cursor, row_ids: list[int]) -> None:
        for start in range(0, len(row_ids), LOOKUP_BATCH):
            batch = row_ids[start : start + LOOKUP_BATCH]
            cursor.execute(
                f"UPDATE {self.t} SET _version_to = %s "
                f"WHERE _row_id IN ({', '.join(['%s'] * len(batch))})",
                [self.version, *batch],
            )

    def write(self, chunk: list[tuple[int, list]]) -> None:
        """Store one chunk of valid rows: insert new keys, version changed rows, keep the rest."""
        if self.fresh and self._insert_new(chunk):
            return
        self._write_careful(chunk)

    def check_doubtful(self, batch: Batch, check: Callable) -> list[tuple[int, list]]:
        """Decide a block's doubtful rows with the row checker (given in the schema's column
        order, None for a column the file lacks); count the block's rows as received."""
        received = len(batch.numbers)
        checked = []
        for number, raw, pending in batch.doubtful_rows() if batch.doubtful else ():
            if _blank(raw):
                received -= 1
                continue
            values = check(number, raw, [], pending)
            if values is not None:
                checked.append((number, values))
        self.counts.received += received
        return checked

    def write_batch(self, batch: Batch, check: Callable) -> None:
        """Store a block from the columnar reader."""
        checked = self.check_doubtful(batch, check)
        columns = batch.good_columns()
        if self.fresh and self._insert_new(checked, columns):
            return
        vouched = zip(batch.good_numbers(), zip(*[c.to_pylist() for c in columns]))  # noqa: B905
        self._write_careful(sorted([*vouched, *checked], key=lambda row: row[0]))

    def bulk_load(self, batches: Iterable[Batch], check: Callable) -> None:
        """Load blocks into the empty table without its indexes, then build them (several
        times cheaper than keeping them up to date). A key repeated in the file makes the
        unique index fail with IntegrityError; the caller then loads again with write_batch,
        which finds and reports the repeats."""
        name = self.table.table_name
        db.drop_indexes(name)
        with (
            connection.cursor() as cursor,
            db.BulkSink(cursor, name, self.insert_columns, self.version) as sink,
        ):
            for batch in batches:
                checked = self.check_doubtful(batch, check)
                columns = batch.good_columns()
                sink.write_columns(columns)
                sink.write_rows([(self.version, *values) for _, values in checked])
                self.counts.inserted += len(checked) + (len(columns[0]) if columns else 0)
                if len(self.rejections) >= REJECTION_BATCH:
                    sink.pause()  # the connection is busy while a COPY is open
                    self.flush_rejections()
        db.create_indexes(name, self.table.schema)

    def _insert_new(self, chunk: list[tuple[int, list]], columns=None) -> bool:
        """Into a table that had no current rows, every key is new unless it repeats in this
        delivery, which the unique key index reports; only then are keys looked up. Rows come
        as (number, values) pairs and, from the columnar reader, as Arrow columns too."""
        rows = [(self.version, *values) for _, values in chunk]
        inserted = len(rows) + (len(columns[0]) if columns else 0)
        try:
            with (
                transaction.atomic(),
                connection.cursor() as cursor,
                db.BulkSink(
                    cursor, self.table.table_name, self.insert_columns, self.version
                ) as sink,
            ):
                if columns:
                    sink.write_columns(columns)
                sink.write_rows(rows)
        except IntegrityError:
            return False
        self.counts.inserted += inserted
        return True

    def _write_careful(self, chunk: list[tuple[int, list]]) -> None:
        in_chunk: dict[tuple, int] = {}
        rows = []
        for number, values in chunk:
            key = self.key(values)
            if key in in_chunk:
                self._duplicate(number, key)
                continue
            in_chunk[key] = number
            rows.append((number, key, values))
        current = self._current(list(in_chunk)) if rows else {}
        to_close, to_insert = [], []
        version, canons, counts = self.version, self.canons, self.counts
        for number, key, values in rows:
            existing = current.get(key)
            if existing is None:
                counts.inserted += 1
            else:
                row_id, version_from, old = existing
                if version_from == version or row_id in self.kept:
                    self._duplicate(number, key)
                    continue
                new = tuple(c(v) for c, v in zip(canons, values, strict=True))
                if new == old:
                    counts.unchanged += 1
                    self.kept.add(row_id)
                    continue
                counts.updated += 1
                to_close.append(row_id)
            to_insert.append((version, *values))
        with connection.cursor() as cursor:
            if to_close:
                self._close(cursor, to_close)
            if to_insert:
                db.insert_rows(cursor, self.table.table_name, self.insert_columns, to_insert)

    def _duplicate(self, number: int, key: tuple) -> None:
        self.counts.rejected += 1
        name = ",".join(self.names[i] for i in self.key_idx)
        self.reject(
            number,
            name,
            ",".join(str(v) for v in key),
            "duplicate_key",
            gettext_noop("duplicate key in this delivery"),
        )

    def delete(self, number: int, values: list) -> None:
        key = tuple(self.canons[i](values[j]) for j, i in enumerate(self.key_idx))
        existing = self._current([key]).get(key)
        if existing is None:
            self.counts.rejected += 1
            self.reject(
                number,
                ",".join(self.names[i] for i in self.key_idx),
                ",".join(str(v) for v in key),
                "key_not_found",
                gettext_noop("No current row has this key."),
            )
            return
        with connection.cursor() as cursor:
            self._close(cursor, [existing[0]])
        self.counts.deleted += 1

    def close_missing(self) -> None:
        """Replace mode: close every current row this delivery neither wrote nor kept."""
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    f"SELECT _row_id FROM {self.t} WHERE _version_to IS NULL "
                    "AND _version_from < %s AND _row_id > %s ORDER BY _row_id LIMIT %s",
                    [self.version, last, LOOKUP_BATCH],
                )
                ids = [row[0] for row in cursor.fetchall()]
                if not ids:
                    return
                last = ids[-1]
                gone = [i for i in ids if i not in self.kept]
                if gone:
                    self._close(cursor, gone)
                    self.counts.deleted += len(gone)


def row_checker(writer: TableWriter) -> Callable[..., list | None]:
    """Check one row aligned with the schema: its stored values, or None when the row is
    rejected (every bad value of it reported). ``only``: the positions still to check (the
    others hold values already checked)."""
    checkers = [build_checker(c) for c in writer.table.schema]
    names = writer.names
    counts = writer.counts

    def check(number: int, raw: list | None, problems: list, only=None) -> list | None:
        values = raw
        if raw is not None and only is None and not problems:
            try:
                return [check(value) for check, value in zip(checkers, raw)]  # noqa: B905
            except Rejected:
                pass  # the slow path below reports every bad value of the row
        if raw is not None:
            values = list(raw)
            for index in range(len(checkers)) if only is None else only:
                try:
                    values[index] = checkers[index](raw[index])
                except Rejected as exc:
                    problems.append((names[index], raw[index], exc.code, exc.reason))
        if problems:
            counts.rejected += 1
            for name, value, code, reason in problems:
                writer.reject(number, name, value, code, reason)
            return None
        return values

    return check


def validated_chunks(
    writer: TableWriter, rows: Iterable[tuple[int, list | None, list]]
) -> Iterator[list[tuple[int, list]]]:
    """Check rows (aligned with the schema) and yield chunks of valid ones."""
    check = row_checker(writer)
    counts = writer.counts
    chunk: list[tuple[int, list]] = []
    for number, raw, problems in rows:
        counts.received += 1
        values = check(number, raw, problems)
        if values is None:
            continue
        chunk.append((number, values))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _blank(row: list) -> bool:
    return all(v is None or (v.__class__ is str and not v.strip()) for v in row)


def align_header(header: list[str], schema: list[dict]) -> list[int | None]:
    """Where each schema column sits in the file's header; unknown (or repeated) columns and
    missing required ones fail the whole delivery."""
    names = [c["name"] for c in schema]
    unknown = [h for h in header if h not in names]
    if unknown or len(set(header)) != len(header):
        raise InvalidInput(
            "unknown_columns",
            gettext_noop("The file has columns the resource does not define (or repeats one)."),
            detail={"unknown": unknown, "fields": names},
        )
    missing = [c["name"] for c in schema if c["required"] and c["name"] not in header]
    if missing:
        raise InvalidInput(
            "missing_columns",
            gettext_noop("The file lacks columns for required fields."),
            detail={"missing": missing},
        )
    return [header.index(name) if name in header else None for name in names]


def tabular_rows(header: list[str], rows, schema: list[dict]):
    """Rows of a CSV or XLSX file aligned with the schema; blank rows are skipped."""
    positions = align_header(header, schema)
    width = len(header)
    ragged = gettext_noop("The row does not have as many values as the header has columns.")
    aligned = positions == list(range(len(positions)))
    for number, row in rows:
        first = row[0] if row else None
        if (first is None or (first.__class__ is str and not first.strip())) and _blank(row):
            continue
        if len(row) != width:
            yield number, None, [("", ",".join(str(v) for v in row), "ragged_row", ragged)]
        elif aligned:
            yield number, row, []
        else:
            yield number, [row[p] if p is not None else None for p in positions], []


def record_rows(records: Iterable[tuple[int, object]], schema: list[dict]):
    """Align JSON records with the schema; unknown fields reject the record."""
    names = [c["name"] for c in schema]
    known = set(names)
    for number, record in records:
        if not isinstance(record, dict):
            yield (
                number,
                None,
                [("", "", "not_an_object", gettext_noop("A record must be a JSON object."))],
            )
            continue
        problems = [
            (key, record[key], "unknown_field", gettext_noop("The resource has no such field."))
            for key in record
            if key not in known
        ]
        yield number, [record.get(name) for name in names], problems


def feed_csv(writer: TableWriter, stream) -> None:
    """Store a CSV file through the columnar reader (bulk-loaded when the table is empty); a
    file it cannot read the way the row reader does is rolled back to where it started and
    read row by row instead."""
    schema = writer.table.schema
    encoding, header = readers.read_csv_header(stream)
    if header and getattr(settings, "DATASTORE_COLUMNAR_CSV", True):
        positions = align_header(header, schema)

        def batches() -> Iterator[Batch]:
            stream.seek(0)
            return columnar.prefetched(
                columnar.read_batches(
                    stream,
                    encoding=encoding,
                    width=len(header),
                    positions=positions,
                    schema=schema,
                    today=date.today(),
                )
            )

        try:
            if not db.has_rows(writer.table.table_name):
                try:
                    with transaction.atomic():
                        writer.bulk = True
                        writer.bulk_load(batches(), row_checker(writer))
                        writer.bulk = False
                        writer.flush_rejections()
                    return
                except IntegrityError:
                    writer.reset()  # a key repeats: load again, finding the repeats
            with transaction.atomic():
                check = row_checker(writer)
                for batch in batches():
                    writer.write_batch(batch, check)
                writer.flush_rejections()
            return
        except columnar.NotColumnar:
            writer.reset()
            stream.seek(0)
    for chunk in validated_chunks(writer, tabular_rows(*readers.read_csv(stream), schema)):
        writer.write(chunk)
