"""The time limit and the row and byte caps of one query, kept by the client whatever the query does.

The time limit is a deadline for the whole query (connecting aside): a watchdog thread cancels the
running statement when it passes — through the driver's cancel request (PostgreSQL), a `KILL QUERY`
from a second connection (MySQL/MariaDB) or `interrupt()` (SQLite) — so nothing the query sets on the
server can lift it. Each backend also sets its server-side limit from the remaining budget before every
statement, which ends the statement even if this process dies.

Rows are read in small reads whose worst-case size is bounded (see `read_rows`), measured as they
arrive, and handed on in batches of at most BATCH_ROWS rows or BATCH_BYTES: memory stays flat
however large the values are, and a cap is reported as soon as it is passed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from reports.sources.config import DataSource
from reports.sources.errors import QueryTimeout, ResultTooLarge, RowLimitExceeded

log = logging.getLogger(__name__)

BATCH_ROWS = 5_000
BATCH_BYTES = 32 << 20
MAX_READ_ROWS = 1_000
SMALL_VALUE_BYTES = 16  # numbers, dates, booleans: what one costs, without measuring each
_BINARY = (bytes, bytearray, memoryview)
_WIDE = (str, *_BINARY, list, tuple, dict, set)
_NONE = type(None)


def read_rows(value_bound: int, wide_columns: int = 1) -> int:
    """Rows per read so that one read holds at most BATCH_BYTES when every wide value is at its bound."""
    return max(1, min(MAX_READ_ROWS, BATCH_BYTES // max(1, value_bound * max(1, wide_columns))))


def timeout_error(source: DataSource) -> QueryTimeout:
    return QueryTimeout(f"The query on “{source.name}” ran longer than its {source.timeout_seconds:g}-second limit. "
                        "Narrow it (a shorter window, fewer rows) or ask an admin to raise timeout_seconds.")


def cell_too_large(source: DataSource, column: str | None) -> ResultTooLarge:
    where = f"in column “{column}”" if column else "in the result"
    return ResultTooLarge(f"A value {where} is larger than {source.max_cell_bytes:,} bytes, the limit for one value "
                          f"in “{source.name}”. Select a shorter part of it (left(…), substr(…)) or ask an admin "
                          "to raise max_cell_bytes.")


def result_too_large(source: DataSource) -> ResultTooLarge:
    return ResultTooLarge(f"The query's result is more than {source.max_result_bytes:,} bytes, the limit for "
                          f"“{source.name}”. Aggregate it, select fewer columns, shorten the window, or ask an "
                          "admin to raise max_result_bytes.")


class Watchdog:
    """A deadline for the whole query; while armed, a timer calls `cancel` when it passes."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds
        self.fired = False

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    @contextmanager
    def armed(self, cancel: Callable[[], None]) -> Iterator[None]:
        """Cancel the statement(s) run inside this block when the deadline passes."""
        timer = threading.Timer(self.remaining(), self._fire, args=(cancel,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _fire(self, cancel: Callable[[], None]) -> None:
        self.fired = True
        try:
            cancel()
        except Exception:  # the driver error that follows, or the deadline check, reports the timeout
            log.warning("cancelling a query at its time limit failed", exc_info=True)


class ResultMeter:
    """Counts rows and bytes as they arrive and raises as soon as a cap is passed."""

    def __init__(self, source: DataSource, max_rows: int) -> None:
        self.source = source
        self.max_rows = max_rows
        self.rows = 0
        self.bytes = 0
        self.names: list[str] = []

    def add(self, rows: list[tuple]) -> int:
        """Account for one read; return its size in bytes."""
        self.rows += len(rows)
        if self.rows > self.max_rows:
            raise RowLimitExceeded(f"The query returned more than {self.max_rows:,} rows, the limit for "
                                   f"“{self.source.name}”. Aggregate it, shorten the window, or ask an admin to "
                                   "raise max_rows.")
        size = 0
        for index, column in enumerate(zip(*rows, strict=True)):
            largest, total = _measure(column)
            if largest > self.source.max_cell_bytes:
                raise cell_too_large(self.source, self.names[index] if index < len(self.names) else None)
            size += total
        self.bytes += size
        if self.bytes > self.source.max_result_bytes:
            raise result_too_large(self.source)
        return size


def _measure(column: tuple) -> tuple[int, int]:
    """(largest value, all values) in bytes: text as UTF-8, binary as is, small scalars at a flat cost."""
    kinds = set(map(type, column))
    kinds.discard(_NONE)
    if not kinds:
        return 0, 0
    if not any(issubclass(kind, _WIDE) for kind in kinds):
        return SMALL_VALUE_BYTES, SMALL_VALUE_BYTES * (len(column) - column.count(None))
    if kinds == {str}:
        texts = [v for v in column if v is not None]
        joined = "".join(texts)
        if joined.isascii():
            return max(map(len, texts)), len(joined)
        sizes = [len(v.encode("utf-8", "surrogatepass")) for v in texts]
        return max(sizes), sum(sizes)
    largest = total = 0
    for value in column:
        if value is None:
            continue
        if isinstance(value, str):
            size = len(value.encode("utf-8", "surrogatepass"))
        elif isinstance(value, _BINARY):
            size = len(value)
        elif isinstance(value, (list, tuple, dict, set)):
            size = len(repr(value))  # arrays and JSON documents can be as large as text
        else:
            size = SMALL_VALUE_BYTES
        largest, total = max(largest, size), total + size
    return largest, total


def batches(read: Callable[[], list[tuple]], meter: ResultMeter) -> Iterator[list[tuple]]:
    """Group measured reads into batches of at most BATCH_ROWS rows or about BATCH_BYTES."""
    pending: list[tuple] = []
    pending_bytes = 0
    while rows := read():
        pending_bytes += meter.add(rows)
        pending.extend(rows)
        if len(pending) >= BATCH_ROWS or pending_bytes >= BATCH_BYTES:
            yield pending
            pending, pending_bytes = [], 0
    if pending:
        yield pending
