"""Ids typed or sent back by people reach the database only when they can be ids."""

from __future__ import annotations

import pytest

from storage.ids import MAX_ROW_ID, row_id
from storage.schedules import find_schedule
from tests.factories import make_schedule
from tests.support.people import TEAM


@pytest.mark.parametrize(("text", "expected"), [
    ("12", 12), ("#12", 12), (" 7 ", 7), (str(MAX_ROW_ID), MAX_ROW_ID), (str(MAX_ROW_ID + 1), None),
    ("99999999999999999999", None), ("0", None), ("-3", None), ("١٢", None), ("12a", None), ("", None), (None, None),
])
def test_row_id_reads_only_what_fits_the_key_columns(text, expected):
    assert row_id(text) == expected


def test_a_number_too_large_for_an_id_is_looked_up_as_a_name(database):
    with database.session() as s:
        make_schedule(s, name="99999999999999999999")
    with database.session() as s:
        assert find_schedule(s, TEAM, "99999999999999999999").name == "99999999999999999999"
        assert find_schedule(s, TEAM, "#99999999999999999999") is None
