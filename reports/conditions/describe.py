"""Conditions and their values in words, for read-backs, alert messages and history.

    describe_condition(c)  -> "total revenue is below 10,000, for 3 checks in a row"
    readback(c, result)    -> "total revenue now 12,430 — would not fire"
"""

from __future__ import annotations

from reports.conditions.measure import Measurement
from reports.conditions.model import (
    Aggregate,
    Condition,
    Direction,
    Kind,
    Measure,
    Policy,
)
from reports.renderers.formatting import thousands

_OP_WORDS = {"<": "below", "<=": "at most", ">": "above", ">=": "at least", "=": "exactly", "!=": "not"}
_AGGREGATE_WORDS = {Aggregate.SUM: "total", Aggregate.AVERAGE: "average", Aggregate.MIN: "lowest",
                    Aggregate.MAX: "highest", Aggregate.LAST: "latest"}
_POLICY_WORDS = {Policy.KEEP: "keeps the last state", Policy.FIRING: "counts as firing", Policy.OK: "counts as OK"}


def number(value: float | None, *, percent: bool = False) -> str:
    """12430 -> "12,430"; 0.0512 -> "0.05"; 3.14159 with percent -> "3.1%"."""
    if value is None:
        return "n/a"
    if percent:
        return f"{value:,.1f}".rstrip("0").rstrip(".") + "%"
    if abs(value) >= 100 or float(value).is_integer():
        return thousands(round(value) if abs(value) >= 100 else value)
    return f"{value:,.4g}" if abs(value) < 1 else thousands(round(value, 2))


def measure_name(measure: Measure | None) -> str:
    """"total revenue", "average latency", "number of order_id values", "rows"."""
    if measure is None or measure.aggregate == Aggregate.ROWS:
        return "rows"
    if measure.aggregate == Aggregate.COUNT:
        return f"number of {measure.column} values"
    word = _AGGREGATE_WORDS.get(measure.aggregate)
    return f"{word} {measure.column}" if word else str(measure.column)


def threshold_text(condition: Condition) -> str:
    """The line the condition draws: "below 10,000", "above 5% of total orders", "by more than 10%"."""
    amount = number(condition.threshold, percent=condition.percent)
    if condition.kind == Kind.SHARE:
        of = f" of {measure_name(condition.of)}" if condition.percent else f" × {measure_name(condition.of)}"
        return f"{_OP_WORDS[condition.op]} {amount}{of}"
    if condition.kind == Kind.CHANGE:
        return f"by {'more than' if condition.op == '>' else 'at least'} {amount}"
    return f"{_OP_WORDS[condition.op]} {amount}"


def describe_condition(condition: Condition) -> str:
    """The whole condition, options included, as one sentence fragment."""
    parts = [rule_text(condition)]
    options = condition.options
    if options.for_checks and options.for_checks > 1:
        parts.append(f"for {options.for_checks} checks in a row")
    if options.for_seconds:
        parts.append(f"for {duration(options.for_seconds)}")
    if options.rearm_seconds:
        parts.append(f"reminding every {duration(options.rearm_seconds)} while firing")
    if condition.kind != Kind.CHANGED:
        parts.append("telling when it resolves" if condition.tells_resolved else "not telling when it resolves")
    if options.no_data != Policy.OWN:
        parts.append(f"no data {_POLICY_WORDS[options.no_data]}")
    if options.on_error != Policy.OWN:
        parts.append(f"a failed check {_POLICY_WORDS[options.on_error]}")
    if options.once:
        parts.append("only the first time")
    return ", ".join(parts)


def rule_text(condition: Condition) -> str:
    """The condition alone, without its options: "total revenue is below 10,000"."""
    if condition.kind == Kind.CHANGED:
        return "the data changed since the previous check"
    name = measure_name(condition.measure)
    counts_rows = condition.measure is not None and condition.measure.aggregate == Aggregate.ROWS
    if counts_rows and condition.kind == Kind.THRESHOLD:
        if condition.op == "=" and condition.threshold == 0:
            return "there are no rows"
        if condition.op == ">" and condition.threshold == 0:
            return "there are rows"
        return f"the number of rows is {threshold_text(condition)}"
    if condition.kind == Kind.CHANGE:
        verb = {Direction.DOWN: "drops", Direction.UP: "rises", Direction.ANY: "changes"}[condition.direction]
        return f"{name} {verb} {threshold_text(condition)} since the previous check"
    if condition.kind == Kind.SHARE and condition.percent:
        return f"{name} is {threshold_text(condition)}"
    if condition.kind == Kind.SHARE:
        return f"{name} / {measure_name(condition.of)} is {_OP_WORDS[condition.op]} {number(condition.threshold)}"
    return f"{name} is {threshold_text(condition)}"


def value_text(condition: Condition, result: Measurement) -> str:
    """The value alone, in words: "total revenue 12,430", "3 rows", "failed orders 3.2% of total orders"."""
    if result.value is None:
        return f"no data ({result.no_data})" if result.no_data else "no data"
    return " ".join(part for part in _value_parts(condition, result) if part)


def _value_parts(condition: Condition, result: Measurement) -> tuple[str, str]:
    """(what, amount): ("total revenue", "12,430"); rows have no "what": ("", "3 rows")."""
    if condition.kind == Kind.CHANGED or (condition.measure and condition.measure.aggregate == Aggregate.ROWS):
        rows = int(result.value)
        return "", f"{rows:,} row{'s' if rows != 1 else ''}" if rows else "no rows"
    name = measure_name(condition.measure)
    if condition.kind == Kind.SHARE:
        if condition.percent:
            return name, f"{number(result.value, percent=True)} of {measure_name(condition.of)}"
        return f"{name} / {measure_name(condition.of)}", number(result.value)
    amount = number(result.value)
    if condition.kind == Kind.CHANGE and result.change is not None:
        amount += f" ({change_text(result.change, percent=condition.percent)} since the previous check)"
    return name, amount


def change_text(change: float, *, percent: bool) -> str:
    """Signed movement with an arrow: "▼ 12.5%", "▲ 430", "= 0"."""
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    return f"{arrow} {number(abs(change), percent=percent)}"


def readback(condition: Condition, result: Measurement) -> str:
    """What a check finds now, and what the alert would do: "total revenue now 12,430 — would not fire"."""
    if result.value is None:
        return f"no data now ({result.no_data}) — the alert would show “no data”"
    what, amount = _value_parts(condition, result)
    now = f"{what} now {amount}" if what else f"{amount} now"
    if condition.kind == Kind.CHANGED:
        return (f"{now} — the first run is sent; after that, only when the data changes" if result.note
                else f"{now} — {'changed since the previous check' if result.fires else 'same as the previous check'}")
    if result.note and not result.fires:
        return f"{now} — {result.note}; later checks compare with the previous one"
    if not result.fires:
        return f"{now} — would not fire"
    waiting = condition.options.for_checks and condition.options.for_checks > 1 or condition.options.for_seconds
    if waiting:
        wait = (f"{condition.options.for_checks} checks in a row" if condition.options.for_checks
                else duration(condition.options.for_seconds))
        return f"{now} — the condition is met; it fires if that lasts {wait}"
    return f"{now} — would fire now"


def duration(seconds: int) -> str:
    """90 -> "90 seconds", 1800 -> "30 minutes", 3600 -> "1 hour", 86400 -> "1 day"."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    if seconds >= 60:
        return f"{seconds / 60:.1f}".rstrip("0").rstrip(".") + " minutes"
    return f"{seconds} second{'s' if seconds != 1 else ''}"
