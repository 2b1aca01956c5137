"""Rows spooled once to a temporary file and read back as often as renderers ask.

Why spool rather than re-run the query for each `Table.rows()` pass: the summary and every format
(CSV, XLSX, chart, PDF) each take a pass, and a live database changes between passes — re-running
would let the CSV and the message disagree, and would cost the database one full query per format.
A file keeps memory flat (one batch at a time) and every pass identical.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import weakref
from collections.abc import Iterator, Sequence

_BUFFER = 1 << 20


class RowSpool:
    """Append batches with `write`, call `finish`, then call the spool for a fresh row iterator."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        fd, self.path = tempfile.mkstemp(prefix="reportbot-rows-", suffix=".spool", dir=directory)
        self._out = os.fdopen(fd, "wb", buffering=_BUFFER)
        self.row_count = 0
        # The file goes when the spool does (the Table holding it is dropped), or at exit.
        self._cleanup = weakref.finalize(self, _remove, self.path, self._out)

    def write(self, rows: Sequence[tuple]) -> None:
        # Batches, not single rows: one pickle call per batch is what keeps a million rows fast.
        pickle.dump(list(rows), self._out, protocol=pickle.HIGHEST_PROTOCOL)
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
                    batch = pickle.load(spooled)  # our own file, written just above: trusted
                except EOFError:
                    return
                yield from batch


def _remove(path: str, out) -> None:
    try:
        out.close()
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
