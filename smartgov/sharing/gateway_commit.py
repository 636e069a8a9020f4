"""Group commit of the gateway's writes: the rate-limit windows and call-log rows of the calls
that are ready at the same moment in one worker process go into one transaction.

A call's thread hands its row in and waits; the first waiting thread becomes the writer, takes
every row handed in so far, writes them (UPSERT of the grant's window, INSERT of the log row)
and commits once; then each thread answers according to its own row's outcome. No call is
answered before the commit that holds its log row, so the durability promise is unchanged,
while the cost of a commit (on SQLite, the WAL write of every index page touched; on
PostgreSQL, the WAL flush) is shared by the calls of a batch.

The nonce guard is the call log's unique index (app, nonce): the row is inserted with
``ON CONFLICT DO NOTHING``; when nothing was inserted the nonce was seen before, and a refusal
row without the nonce is written in its place.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager, suppress

from django.db import DatabaseError, connection, transaction

from smartgov.sharing import gateway_ratelimit

_tuned: set[int] = set()


def tune_sqlite() -> None:
    """Settings of a gateway connection to SQLite, once per connection: checkpoint the WAL
    every 10,000 pages instead of 1,000 (each call appends a handful of pages, the log row and
    its indexes, and a checkpoint is the only step that syncs to disk in WAL mode with
    synchronous=NORMAL, so fewer, larger checkpoints cost less per call), and read the database
    file through a 1 GiB memory map (shared by every connection through the OS page cache,
    where the default 2 MB page cache per connection holds little of a large key index)."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = id(connection.connection)
    if raw not in _tuned:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 10000")
            cursor.execute("PRAGMA mmap_size = 1073741824")
        _tuned.add(raw)


@contextmanager
def write_transaction():
    """A cursor in one short write transaction, committed on leaving the block.

    Outside any transaction (the server's case) it is a plain BEGIN ... COMMIT on the
    connection, which costs a fraction of Django's atomic() bookkeeping; on SQLite BEGIN
    IMMEDIATE takes the write lock at once, so the UPSERT never has to upgrade a read lock.
    Inside a caller's transaction (tests) it is a savepoint.
    """
    if connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            yield cursor
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE" if connection.vendor == "sqlite" else "BEGIN")
        try:
            yield cursor
        except BaseException:
            with suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise
        try:
            cursor.execute("COMMIT")
        except DatabaseError:
            with suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise


def drop_broken_connection() -> None:
    """After a database error on the thin path (no request signals close connections there),
    close the thread's connection if it is broken, so the next call opens a new one. Inside a
    caller's transaction (tests) the connection is the caller's and stays."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


class Entry:
    """One call's write: in with the row's parameters, out with its outcome."""

    __slots__ = ("call", "code", "done", "error", "status", "wait")

    def __init__(self, call, status: int, code: str) -> None:
        self.call = call
        self.status = status
        self.code = code
        self.wait = None
        self.done = False
        self.error = None


class GroupCommit:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[Entry] = []
        self._writing = False

    def write(self, call, status: int, code: str) -> Entry:
        """Write the call's window and log row; returns the entry with the final status
        (429 when over the rate, 409 for a replayed nonce). Raises the batch's error (a
        DatabaseError, mostly) when it could not be committed."""
        entry = Entry(call, status, code)
        with self._cond:
            self._pending.append(entry)
            while not entry.done:
                if self._writing:
                    self._cond.wait()
                    continue
                self._writing = True
                batch, self._pending = self._pending, []
                self._cond.release()
                try:
                    _write_batch(batch)
                finally:
                    self._cond.acquire()
                    self._writing = False
                    self._cond.notify_all()
        if entry.error is not None:
            raise entry.error
        return entry


def _write_batch(batch: list[Entry]) -> None:
    from smartgov.sharing.gateway import LOG_SQL, LOG_SQL_ONCE

    try:
        with write_transaction() as cursor:
            for entry in batch:
                call = entry.call
                entry.wait = gateway_ratelimit.hit(cursor, call.grant_id, call.rate_per_minute)
                if entry.wait is not None:
                    entry.status, entry.code = 429, "rate_limited"
                    call.result_count, call.fields = 0, ""
                cursor.execute(LOG_SQL_ONCE, call.log_params(entry.status, entry.code))
                if cursor.rowcount == 0:  # the (app, nonce) index holds this nonce already
                    entry.status, entry.code = 409, "nonce_replayed"
                    call.nonce, call.result_count, call.fields = "", 0, ""
                    cursor.execute(LOG_SQL, call.log_params(entry.status, entry.code))
    except Exception as exc:  # every waiting thread must learn that its row was not written
        for entry in batch:
            entry.error = exc
            entry.done = True
        if isinstance(exc, DatabaseError):
            drop_broken_connection()
        return
    for entry in batch:
        entry.done = True


group_commit = GroupCommit()
