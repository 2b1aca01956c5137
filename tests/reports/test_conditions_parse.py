"""Conditions in plain words: many phrasings read to the same rule; vague or broken ones are refused
with a fix. Table-driven (pure, no I/O)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.conditions import (
    Aggregate,
    ConditionError,
    Direction,
    Kind,
    Policy,
    condition_from_json,
    parse_condition,
)

ROWS = (None, Aggregate.ROWS)

# text -> (kind, (column, aggregate), op, threshold, extra fields to check)
PHRASES = [
    ("revenue < 10000", Kind.THRESHOLD, ("revenue", None), "<", 10000, {}),
    ("when revenue < 10000", Kind.THRESHOLD, ("revenue", None), "<", 10000, {}),
    ("when revenue drops below 10k", Kind.THRESHOLD, ("revenue", None), "<", 10000, {}),
    ("revenue is below 10,000", Kind.THRESHOLD, ("revenue", None), "<", 10000, {}),
    ("revenue under $10 000", Kind.THRESHOLD, ("revenue", None), "<", 10000, {}),
    ("revenue falls under 1.5m", Kind.THRESHOLD, ("revenue", None), "<", 1_500_000, {}),
    ("revenue is less than or equal to 5", Kind.THRESHOLD, ("revenue", None), "<=", 5, {}),
    ("revenue is at most 5", Kind.THRESHOLD, ("revenue", None), "<=", 5, {}),
    ("revenue <= 5", Kind.THRESHOLD, ("revenue", None), "<=", 5, {}),
    ("revenue ≥ 5", Kind.THRESHOLD, ("revenue", None), ">=", 5, {}),
    ("revenue is at least 5k", Kind.THRESHOLD, ("revenue", None), ">=", 5000, {}),
    ("revenue is 10000 or more", Kind.THRESHOLD, ("revenue", None), ">=", 10000, {}),
    ("revenue is no less than 2", Kind.THRESHOLD, ("revenue", None), ">=", 2, {}),
    ("revenue rises above 10000", Kind.THRESHOLD, ("revenue", None), ">", 10000, {}),
    ("latency exceeds 300", Kind.THRESHOLD, ("latency", None), ">", 300, {}),
    ("the error rate is over 0.05", Kind.THRESHOLD, ("error rate", None), ">", 0.05, {}),
    ("revenue = 0", Kind.THRESHOLD, ("revenue", None), "=", 0, {}),
    ("revenue is 0", Kind.THRESHOLD, ("revenue", None), "=", 0, {}),
    ("revenue is zero", Kind.THRESHOLD, ("revenue", None), "=", 0, {}),
    ("revenue != 0", Kind.THRESHOLD, ("revenue", None), "!=", 0, {}),
    ("revenue is not 0", Kind.THRESHOLD, ("revenue", None), "!=", 0, {}),
    ("profit < -500", Kind.THRESHOLD, ("profit", None), "<", -500, {}),
    ("sum of revenue < 10k", Kind.THRESHOLD, ("revenue", Aggregate.SUM), "<", 10000, {}),
    ("total revenue < 10k", Kind.THRESHOLD, ("revenue", Aggregate.SUM), "<", 10000, {}),
    ("average order value > 50", Kind.THRESHOLD, ("order value", Aggregate.AVERAGE), ">", 50, {}),
    ("avg(latency) > 200", Kind.THRESHOLD, ("latency", Aggregate.AVERAGE), ">", 200, {}),
    ("max latency > 900", Kind.THRESHOLD, ("latency", Aggregate.MAX), ">", 900, {}),
    ("the lowest stock is under 3", Kind.THRESHOLD, ("stock", Aggregate.MIN), "<", 3, {}),
    ("latest balance < 0", Kind.THRESHOLD, ("balance", Aggregate.LAST), "<", 0, {}),
    ("count of orders >= 3", Kind.THRESHOLD, ("orders", Aggregate.COUNT), ">=", 3, {}),
    ('"Net (€)" < 5', Kind.THRESHOLD, ("Net (€)", None), "<", 5, {}),
    ("rows > 0", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("when rows > 0", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("row count >= 100", Kind.THRESHOLD, ROWS, ">=", 100, {}),
    ("count(*) > 0", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("more than 5 rows", Kind.THRESHOLD, ROWS, ">", 5, {}),
    ("there are fewer than 3 results", Kind.THRESHOLD, ROWS, "<", 3, {}),
    ("when there are no rows", Kind.THRESHOLD, ROWS, "=", 0, {}),
    ("no results", Kind.THRESHOLD, ROWS, "=", 0, {}),
    ("the report is empty", Kind.THRESHOLD, ROWS, "=", 0, {}),
    ("when there are rows", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("when results appear", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("when results exist", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("the report is not empty", Kind.THRESHOLD, ROWS, ">", 0, {}),
    ("revenue drops by more than 10%", Kind.CHANGE, ("revenue", None), ">", 10,
     {"percent": True, "direction": Direction.DOWN}),
    ("revenue drops 10%", Kind.CHANGE, ("revenue", None), ">=", 10, {"percent": True, "direction": Direction.DOWN}),
    ("revenue falls by at least 500", Kind.CHANGE, ("revenue", None), ">=", 500,
     {"percent": False, "direction": Direction.DOWN}),
    ("signups increase by more than 20 percent since the last check", Kind.CHANGE, ("signups", None), ">", 20,
     {"percent": True, "direction": Direction.UP}),
    ("revenue changes by more than 5%", Kind.CHANGE, ("revenue", None), ">", 5,
     {"percent": True, "direction": Direction.ANY}),
    ("failed orders > 5% of orders", Kind.SHARE, ("failed orders", None), ">", 5, {"percent": True}),
    ("when failed orders are more than 5% of orders", Kind.SHARE, ("failed orders", None), ">", 5,
     {"percent": True}),
    ("failed_orders / orders > 0.05", Kind.SHARE, ("failed_orders", None), ">", 0.05, {"percent": False}),
    ("only if it changed", Kind.CHANGED, None, ">", 0, {}),
    ("if the data changed", Kind.CHANGED, None, ">", 0, {}),
    ("when anything changes", Kind.CHANGED, None, ">", 0, {}),
]


@pytest.mark.parametrize("text,kind,measure,op,threshold,extra", PHRASES, ids=[p[0] for p in PHRASES])
def test_phrasings_read_to_one_rule(text, kind, measure, op, threshold, extra):
    condition = parse_condition(text)
    assert condition.kind == kind
    if measure is not None:
        assert (condition.measure.column, condition.measure.aggregate) == measure
    assert (condition.op, condition.threshold) == (op, threshold)
    for name, value in extra.items():
        assert getattr(condition, name) == value
    assert condition.text == text


def test_a_share_names_its_denominator():
    assert parse_condition("failed orders > 5% of total orders").of.column == "orders"
    assert parse_condition("failed orders > 5% of total orders").of.aggregate == Aggregate.SUM


# text -> options expected (only the fields named)
OPTIONS = [
    ("revenue < 10000 for 3 checks", {"for_checks": 3}),
    ("revenue < 10000 for three consecutive checks", {"for_checks": 3}),
    ("revenue < 10000, 2 checks in a row", {"for_checks": 2}),
    ("revenue < 10000 for 30 minutes", {"for_seconds": 1800}),
    ("revenue < 10000 for half an hour", {"for_seconds": 1800}),
    ("revenue < 10000 for 2h", {"for_seconds": 7200}),
    ("latency > 300, remind every hour", {"rearm_seconds": 3600}),
    ("latency > 300 re-notify every 2 hours", {"rearm_seconds": 7200}),
    ("latency > 300 and every 30 minutes while firing", {"rearm_seconds": 1800}),
    ("revenue < 10k and when it resolves", {"notify_resolved": True}),
    ("revenue < 10k, tell me when it's back to normal", {"notify_resolved": True}),
    ("revenue < 10k but don't tell me when it resolves", {"notify_resolved": False}),
    ("revenue < 10k without a resolved message", {"notify_resolved": False}),
    ("revenue < 10k, if no data keep the last state", {"no_data": Policy.KEEP}),
    ("revenue < 10k; when there is no data, fire", {"no_data": Policy.FIRING}),
    ("revenue < 10k, treat no data as ok", {"no_data": Policy.OK}),
    ("revenue < 10k, on error: ok", {"on_error": Policy.OK}),
    ("revenue < 10k, treat errors as firing", {"on_error": Policy.FIRING}),
    ("revenue < 10k, if the check fails keep it", {"on_error": Policy.KEEP}),
    ("rows > 0, only the first time", {"once": True}),
    ("revenue < 10k for 3 checks, remind every 2 hours, if no data keep the last state and when it resolves",
     {"for_checks": 3, "rearm_seconds": 7200, "no_data": Policy.KEEP, "notify_resolved": True}),
]


@pytest.mark.parametrize("text,expected", OPTIONS, ids=[o[0] for o in OPTIONS])
def test_options_anywhere_after_the_condition(text, expected):
    condition = parse_condition(text)
    assert condition.kind in (Kind.THRESHOLD, Kind.SHARE)
    for name, value in expected.items():
        assert getattr(condition.options, name) == value, name
    untouched = {"for_checks": None, "for_seconds": None, "rearm_seconds": None, "notify_resolved": None,
                 "no_data": Policy.OWN, "on_error": Policy.OWN, "once": False}
    for name, default in untouched.items():
        if name not in expected:
            assert getattr(condition.options, name) == default, name


# text -> words the error must contain
REFUSED = [
    ("", ["Write a condition", "revenue < 10000"]),
    ("banana", ["couldn't find a comparison", "banana"]),
    ("when revenue is low", ["too vague", "revenue < 10000"]),
    ("sales look bad", ["too vague"]),
    ("revenue drops", ["By how much", "revenue drops by more than 10%"]),
    ("revenue changes a lot", ["By how much"]),
    ("revenue goes up", ["By how much"]),
    ("revenue >", ["Say what to compare revenue with"]),
    ("< 5", ["Say what to compare before"]),
    ("revenue < yesterday", ["with a number", "yesterday"]),
    ("error_rate > 5%", ["fraction (0.05) or a percentage (5)"]),
    ("failed > 5 of orders", ["as a percentage"]),
    ("rows > 2.5", ["whole number"]),
    ("more than 5% rows", ["can't be a percentage"]),
    ("revenue drops by -10%", ["positive amount"]),
    ("revenue < 10 for 3 checks for 10 minutes", ["one waiting period"]),
    ("rows > 0 for 0 checks", ["between 1 and 1,000"]),
    ("sum of rows > 3", ["Rows can only be counted"]),
    ("x" * 600, ["under 500"]),
]


@pytest.mark.parametrize("text,words", REFUSED, ids=[r[0][:40] or "empty" for r in REFUSED])
def test_vague_or_broken_conditions_are_refused_with_a_fix(text, words):
    with pytest.raises(ConditionError) as refused:
        parse_condition(text)
    for word in words:
        assert word in str(refused.value)


@pytest.mark.parametrize("text", [p[0] for p in PHRASES] + [o[0] for o in OPTIONS])
def test_stored_conditions_come_back_equal(text):
    condition = parse_condition(text)
    assert condition_from_json(condition.to_json()) == condition


def test_a_stored_condition_that_cannot_be_read_says_so():
    with pytest.raises(ConditionError, match="edit the alert"):
        condition_from_json({"kind": "telepathy"})


WORDS = ["revenue", "<", ">=", "=", "for", "3", "checks", "30 minutes", "when", "if", "no data", "keep", "and",
         "drops by", "more than", "10%", "of", "orders", "rows", "remind every hour", "when it resolves", "not",
         "is", "below", "at least", "treat errors as", "firing", "ok", "only the first time", "changed", '"x"',
         "(", ")", "/", "10k", "1,000", "$", "-", "the", "count of", "average"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25) | st.text(max_size=600))
def test_anything_typed_is_a_condition_or_a_condition_error(words):
    text = " ".join(words) if isinstance(words, list) else words
    try:
        condition = parse_condition(text)
    except ConditionError as refused:
        assert str(refused) and "Traceback" not in str(refused)
        return
    assert condition_from_json(condition.to_json()) == condition
