"""The row spool: every pass reads back exactly what the query returned, then the file goes away."""

from __future__ import annotations

import datetime as dt
import gc
import os
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reports.sources.spool import RowSpool

BERLIN = ZoneInfo("Europe/Berlin")


def test_values_of_every_kind_round_trip(tmp_path):
    rows = [
        (1, 1.5, "a", Decimal("12.340"), dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1),
         dt.date(2026, 11, 23), True, None, b"\x00"),
        (2, None, "", Decimal("-0.001"), dt.datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN), dt.date(2028, 2, 29),
         False, "x", b""),
    ]
    naive = [(dt.datetime(2026, 1, 1, 12, 0, 0, 5), dt.date(2026, 1, 1)), (None, None)]
    spool = RowSpool(tmp_path)
    spool.write(rows)
    spool.write(rows[::-1])
    spool.write([])
    spool.finish()
    back = list(spool())
    assert back == rows + rows[::-1] and back == list(spool())
    aware = back[0][4]
    assert aware.utcoffset() == dt.timedelta(hours=1) and aware.replace(tzinfo=None) == dt.datetime(2026, 10, 25, 2, 30)
    assert spool.row_count == 4
    mixed = RowSpool(tmp_path)
    mixed.write(naive)
    mixed.finish()
    assert list(mixed()) == naive


def test_reading_before_finish_is_a_bug(tmp_path):
    spool = RowSpool(tmp_path)
    with pytest.raises(RuntimeError):
        spool()
    spool.close()
    assert os.listdir(tmp_path) == []


def test_the_file_goes_with_the_spool(tmp_path):
    spool = RowSpool(tmp_path)
    spool.write([(1,)])
    spool.finish()
    (path,) = tmp_path.iterdir()
    del spool
    gc.collect()
    assert not path.exists()
