"""Declared parameters: coercion with clear errors, validation, declarations, and self-description."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.errors import ParameterError, UnknownReportType
from reports.registry import (
    PARAM_TYPES,
    Param,
    ReportRequest,
    all_report_types,
    get_report_type,
    report_type,
)
from reports.table import Column, Table
from reports.window import WINDOW_KINDS, compute_window
from tests.support.people import SALES


def test_integer_number_and_bounds():
    count = Param("count", "Count", type="integer", min=1, max=10)
    assert count.coerce(" 7 ") == 7 and count.coerce(3) == 3
    with pytest.raises(ParameterError, match="“Count” must be a whole number, not “seven”"):
        count.coerce("seven")
    with pytest.raises(ParameterError, match="between 1 and 10, not 11"):
        count.coerce("11")
    with pytest.raises(ParameterError, match="whole number"):
        count.coerce(True)
    share = Param("share", "Share", type="number", min=0, max=1)
    assert share.coerce("0.25") == 0.25
    for bad in ("nan", "inf", "lots"):
        with pytest.raises(ParameterError, match="must be a number"):
            share.coerce(bad)


def test_required_default_and_empty_values():
    name = Param("name", "Name", required=True)
    for empty in (None, "", "   ", [], ()):
        with pytest.raises(ParameterError, match="“Name” is required"):
            name.coerce(empty)
    assert Param("tag", "Tag", default="all").coerce("  ") == "all"
    assert Param("tag", "Tag").coerce("  x ") == "x"
    assert Param("sql", "SQL", multiline=True).coerce("select 1\n") == "select 1\n"
    with pytest.raises(ParameterError, match="too long: 6 characters, at most 5"):
        Param("tag", "Tag", max_length=5).coerce("abcdef")


def test_boolean_is_strict():
    flag = Param("flag", "Flag", type="boolean")
    assert [flag.coerce(v) for v in ("yes", "ON", "1", True, "no", "off", "0", False)] == [True] * 4 + [False] * 4
    with pytest.raises(ParameterError, match="yes or no, not “maybe”"):
        flag.coerce("maybe")


def test_choice_is_case_insensitive_and_lists_the_options():
    region = Param("region", "Region", type="choice", choices=("North", "South"))
    assert region.coerce("north") == "North"
    with pytest.raises(ParameterError, match="one of: North, South — not “Mars”"):
        region.coerce("Mars")
    dynamic = Param("source", "Source", type="choice", choices_from=lambda: ["a", "b"])
    assert dynamic.coerce("B") == "b" and dynamic.available_choices() == ("a", "b")
    nothing = Param("source", "Source", type="choice", choices_from=list)
    with pytest.raises(ParameterError, match="none are set up yet"):
        nothing.coerce("x")


def test_lists_and_channels():
    tags = Param("tags", "Tags", type="list", max=3)
    assert tags.coerce("a, b c") == ("a", "b", "c") and tags.coerce(["x", " y "]) == ("x", "y")
    with pytest.raises(ParameterError, match="at most 3 items, not 4"):
        tags.coerce("a b c d")
    channels = Param("channels", "Channels", type="channels")
    assert channels.coerce("<#C0SALES01|sales>, #Ops general C0SALES01") == (SALES, "#ops", "#general")
    assert channels.coerce([SALES, "G0PRIVATE1"]) == (SALES, "G0PRIVATE1")
    with pytest.raises(ParameterError, match="not a channel"):
        channels.coerce("#bad!name")


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Bad Name", "label": "x"}, "lower_snake_case"),
    ({"name": "x", "label": "x", "type": "date"}, "unknown type"),
    ({"name": "x", "label": "x", "type": "choice"}, "declares no choices"),
    ({"name": "x", "label": ""}, "needs a label"),
])
def test_declaration_mistakes_fail_at_import(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Param(**kwargs)


def test_registering_rejects_reserved_duplicate_and_clashing_names():
    get_report_type("demo_sales")  # the built-ins are registered
    with pytest.raises(ValueError, match="reserved: window"):
        report_type("t_reserved", title="T", description="T", params=(Param("window", "W"),))
    with pytest.raises(ValueError, match="repeated or reserved: a"):
        report_type("t_dup", title="T", description="T", params=(Param("a", "A"), Param("a", "A")))
    with pytest.raises(ValueError, match="default window"):
        report_type("t_window", title="T", description="T", default_window="fortnight")
    with pytest.raises(ValueError, match="already registered by reports.types.demo_sales"):
        report_type("demo_sales", title="T", description="T")(lambda request: None)


def test_validate_params_converts_rejects_unknown_and_checks_window():
    sales = get_report_type("demo_sales")
    assert sales.validate_params({"region": "north"}) == {"region": "North", "view": "detail"}
    with pytest.raises(ParameterError, match="Demo sales has no parameter colour. It takes: region, view"):
        sales.validate_params({"colour": "red"})
    assert sales.validate_params({"window": "Previous_Week", "window_n": "3"})["window"] == "previous_week"
    assert sales.validate_params({"window": "month to date"})["window"] == "month_to_date"  # its label works too
    with pytest.raises(ParameterError, match="“Period” must be one of: As the schedule: .*, Previous day,"):
        sales.validate_params({"window": "fortnight"})


def test_describe_gives_the_modal_everything_including_the_window():
    described = get_report_type("demo_sales").describe()
    names = [p["name"] for p in described["params"]]
    assert names == ["region", "view", "window", "window_n"]
    window = described["params"][2]
    assert window["type"] == "choice" and window["choices"] == ["schedule", *WINDOW_KINDS]
    assert window["default"] == "schedule"  # a report follows its schedule's period unless told otherwise


def test_describe_survives_a_broken_source_list(monkeypatch, tmp_path):
    broken = tmp_path / "sources.yaml"
    broken.write_text("sources: [not, a, mapping]")
    monkeypatch.setenv("REPORTBOT_DATA_SOURCES", str(broken))
    source = get_report_type("sql").describe()["params"][0]
    assert source["choices"] == [] and "must map source names" in source["choices_error"]


def test_unknown_type_names_the_ones_that_exist():
    with pytest.raises(UnknownReportType, match="Available: channel_activity, demo_sales, prompt, sql"):
        get_report_type("nope")


def test_request_owner_fields_default_so_old_callers_work():
    window = compute_window("previous_day", dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC), "UTC")
    request = ReportRequest(params={}, window=window, timezone="UTC", slot=window.end)
    assert request.owner_user_id is None and request.team_id is None and request.services == {}


def test_every_type_and_parameter_is_documented():
    # The modal and the one-liner show these texts; an undocumented parameter is a question nobody can answer.
    for kind in all_report_types():
        assert kind.title and len(kind.description) > 20, kind.name
        for param in kind.form_params():
            assert param.help and param.type in PARAM_TYPES, (kind.name, param.name)


def test_a_registered_type_is_fetchable():
    @report_type("t_echo", title="Echo", description="Echoes its parameter back.", params=(Param("word", "Word"),))
    def fetch(request: ReportRequest) -> Table:
        return Table.from_rows([Column("word")], [(request.params["word"],)])

    try:
        kind = get_report_type("t_echo")
        window = compute_window("previous_day", dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "UTC")
        request = ReportRequest(kind.validate_params({"word": "hi"}), window, "UTC", window.end)
        assert list(kind.fetch(request).rows()) == [("hi",)]
    finally:
        from reports import registry

        registry._TYPES.pop("t_echo", None)
