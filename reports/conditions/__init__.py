"""Alert conditions in plain words: parse, bind to a report's columns, measure, and say in words.

    condition = parse_condition("revenue drops below 10k for 3 checks")
    condition = bind_condition(condition, table.columns)     # names the columns when one is unknown
    result = measure(condition, table, previous)             # streams the rows once
    readback(condition, result)                              # "total revenue now 12,430 — would not fire"

Pure: no I/O. Stored on the schedule as `condition.to_json()`.
"""

from reports.conditions.bind import bind_condition, bind_to_table, find_column
from reports.conditions.describe import (
    change_text,
    describe_condition,
    duration,
    measure_name,
    number,
    readback,
    rule_text,
    threshold_text,
    value_text,
)
from reports.conditions.measure import (
    Collected,
    Measurement,
    Previous,
    collect,
    judge,
    measure,
)
from reports.conditions.model import (
    Aggregate,
    Condition,
    ConditionError,
    Direction,
    Kind,
    Measure,
    Options,
    Policy,
    condition_from_json,
)
from reports.conditions.parse import parse_condition

__all__ = [
    "Aggregate", "Collected", "Condition", "ConditionError", "Direction", "Kind", "Measure", "Measurement",
    "Options", "Policy", "Previous", "bind_condition", "bind_to_table", "change_text", "collect",
    "condition_from_json", "describe_condition", "duration", "find_column", "judge", "measure",
    "measure_name", "number", "parse_condition", "readback", "rule_text", "threshold_text", "value_text",
]
