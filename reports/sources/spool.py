"""Rows spooled once to a temporary file and read back as often as renderers ask.

Why spool rather than re-run the query for each `Table.rows()` pass: the summary and every format
(CSV, XLSX, chart, PDF) each take a pass, and a live database changes between passes — re-running
would let the CSV and the message disagree, and would cost the database one full query per format.
A file keeps memory flat (one batch at a time) and every pass identical.

Batches are stored column by column. pickle handles Decimal and datetime values at about a
microsecond each, which made the spool slower than the query on a million rows; a column whose
values are all Decimal, datetime or date is stored as text instead and parsed back in C
(`map(Decimal, …)`, `datetime.fromisoformat`); a column of datetimes in one ZoneInfo zone (what
PostgreSQL returns for timestamptz) gets that zone back, so values compare equal even in a DST fold.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
import weakref
from collections.abc import Iterator, Sequence
from decimal import Decimal
from operator import attrgetter, methodcaller
from zoneinfo import ZoneInfo

_BUFFER = 1 << 20
_DECODERS = {"decimal": Decimal, "datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat}
_ENCODED = {Decimal: ("decimal", str), dt.datetime: ("datetime", dt.datetime.isoformat),
            dt.date: ("date", dt.date.isoformat)}


class RowSpool:
    """Append batches with `write`, call `finish`, then call the spool for a fresh row iterator."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="reportbot-rows-", suffix=".spool", dir=directory)
        self._out = os.fdopen(fd, "wb", buffering=_BUFFER)
        self.row_count = 0
        # The file goes when the spool does (the Table holding it is dropped), or at exit.
        self._cleanup = weakref.finalize(self, _remove, self.path, self._out)

    def write(self, rows: Sequence[tuple]) -> None:
        if not rows:
            return
        # Column by column only when there is something to gain: transposing costs time too.
        if any(type(value) in _ENCODED for value in rows[0]):
            batch: tuple = ("columns", [_encode(column) for column in zip(*rows, strict=True)])
        else:
            batch = ("rows", list(rows))
        pickle.dump(batch, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self.row_count += len(rows)

    def finish(self) -> None:
        self._out.close()

    def close(self) -> None:
        """Delete the file now."""
        self._cleanup()

    def __call__(self) -> Iterator[tuple]:
        if not self._out.closed:
            raise RuntimeError("RowSpool read before finish()")
        return self._read()

    def _read(self) -> Iterator[tuple]:
        with open(self.path, "rb", buffering=_BUFFER) as spooled:
            while True:
                try:
                    layout, batch = pickle.load(spooled)  # our own file, written just above: trusted
                except EOFError:
                    return
                if layout == "rows":
                    yield from batch
                else:
                    yield from zip(*(_decode(c) for c in batch), strict=True)


def _encode(column: tuple) -> tuple:
    kinds = set(map(type, column))
    if len(kinds) == 1:
        codec = _ENCODED.get(next(iter(kinds)))
        if codec is not None:
            zone = None
            if codec[0] == "datetime":
                zones = set(map(attrgetter("tzinfo"), column))
                zone = next(iter(zones)) if len(zones) == 1 else None
            return codec[0], list(map(codec[1], column)), zone.key if isinstance(zone, ZoneInfo) else None
    return "plain", column, None


def _decode(encoded: tuple) -> Sequence:
    kind, values, zone = encoded
    if kind == "plain":
        return values
    decoded = map(_DECODERS[kind], values)
    if zone is not None:
        decoded = map(methodcaller("astimezone", ZoneInfo(zone)), decoded)
    return list(decoded)


def _remove(path: str, out) -> None:
    try:
        out.close()
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
