"""Reading a condition back before the alert exists: the report runs now, as the person writing
the alert, and the answer is the value in words — or an error naming the columns there are."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.alerts.readback import check_condition
from reports.conditions import Aggregate, ConditionError, condition_from_json
from reports.conditions.describe import number
from reports.errors import ReportError
from reports.types.demo_sales import sales_rows
from tests.factories import TEAM
from tests.jobs.alert_support import make_warehouse
from tests.support.people import ALICE, BOB


def _check(ctx, text, report_type="demo_sales", params=None, user=ALICE):
    return check_condition(ctx, text, team_id=TEAM, user_id=user, report_type=report_type, params=params or {},
                           timezone="Europe/Berlin")


def test_reads_back_the_first_value_of_the_report(job_context):
    # the clock stands at Mon 23 Nov 2026 01:00 in Berlin: the report covers Sunday the 22nd
    revenue = sum(row[4] for row in sales_rows(dt.date(2026, 11, 22), dt.date(2026, 11, 23)))
    checked = _check(job_context, "revenue < 10000")
    assert checked.readback == f"total revenue now {number(revenue)} — would not fire"
    assert checked.sentence == (f"Fires when total revenue is below 10,000, telling when it resolves · "
                                f"total revenue now {number(revenue)} — would not fire")
    assert checked.condition.measure.aggregate == Aggregate.SUM  # stored bound: the default is kept
    assert condition_from_json(checked.condition.to_json()) == checked.condition


def test_would_fire_now_is_said(job_context):
    rows = len(list(sales_rows(dt.date(2026, 11, 22), dt.date(2026, 11, 23))))
    checked = _check(job_context, "when there are rows")
    assert checked.readback == f"{rows} rows now — would fire now"


def test_an_unknown_column_names_the_report_columns(job_context):
    with pytest.raises(ConditionError) as refused:
        _check(job_context, "revenu < 10k")
    assert str(refused.value) == ("The report has no column “revenu”. Did you mean “revenue”? Its columns are: "
                                  "date, region, product, units, revenue.")


def test_vague_words_are_refused_with_the_columns_to_pick_from(job_context):
    with pytest.raises(ConditionError) as refused:
        _check(job_context, "when sales look bad")
    assert "too vague" in str(refused.value)
    assert str(refused.value).endswith("This report's columns: date, region, product, units, revenue.")
    with pytest.raises(ConditionError, match="too vague") as unreadable:  # a report that cannot run: the words
        _check(job_context, "when sales look bad", report_type="no_such_type")
    assert "columns" not in str(unreadable.value)


def test_the_data_source_decides_who_may_read(job_context, tmp_path, monkeypatch):
    warehouse = make_warehouse(tmp_path, monkeypatch, users=ALICE)
    warehouse.revenue(9120)
    params = {"source": "warehouse", "query": "select revenue from metrics"}
    assert _check(job_context, "revenue < 10000", "sql", params).readback == "total revenue now 9,120 — would fire now"
    with pytest.raises(ReportError, match="warehouse"):
        _check(job_context, "revenue < 10000", "sql", params, user=BOB)


def test_no_rows_reads_back_as_no_data(job_context, tmp_path, monkeypatch):
    make_warehouse(tmp_path, monkeypatch)
    params = {"source": "warehouse", "query": "select revenue from metrics"}
    assert _check(job_context, "revenue < 10000", "sql", params).readback == (
        "no data now (the report returned no rows) — the alert would show “no data”")
