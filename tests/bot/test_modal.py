"""The create/edit modal: opening, switching report type, the live cadence read-back, time zones,
field errors on submit, saving, editing, and "send me a preview now"."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jobs.slack_ids import ModalActions, ModalBlocks, ModalOptions
from reports import registry
from reports.registry import Param, report_type
from reports.table import Column, Table
from storage import email as email_repo
from storage.models import AttachMode, Run, Schedule, ScheduleStatus
from tests.bot.conftest import ADMIN, ALICE, BOB
from tests.support.people import OPS, SALES

INVENTORY = "test_inventory"


@pytest.fixture
def inventory_type():
    """A second report type with one parameter of every kind, registered for the test only."""

    @report_type(INVENTORY, title="Inventory", description="Stock levels per warehouse.", params=(
        Param("warehouse", "Warehouse", type="text", required=True, help="Its code, e.g. BER-1"),
        Param("min_stock", "Minimum stock", type="integer"),
        Param("include_empty", "Include empty bins", type="boolean"),
        Param("unit", "Unit", type="choice", choices=("pieces", "pallets")),
    ))
    def fetch(request):
        return Table.from_rows([Column("sku")], [("A-1",)])

    registry.load_plugins()
    yield INVENTORY
    registry._TYPES.pop(INVENTORY, None)


def text(value):
    return {"type": "plain_text_input", "value": value}


def select_(value):
    return {"type": "static_select", "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}


def values(*, name="Daily sales", report="demo_sales", cadence="every weekday at 9am", tz="Europe/Berlin",
           channels=(SALES,), people=(), emails="", formats=("csv",), skip=False, params=None) -> dict:
    state = {
        ModalBlocks.NAME: {ModalActions.NAME: text(name)},
        ModalBlocks.REPORT_TYPE: {ModalActions.REPORT_TYPE: select_(report)},
        ModalBlocks.CADENCE: {ModalActions.CADENCE: text(cadence)},
        ModalBlocks.TIMEZONE: {ModalActions.TIMEZONE: {"type": "external_select", "selected_option": (
            {"value": tz, "text": {"type": "plain_text", "text": tz}} if tz else None)}},
        ModalBlocks.CHANNELS: {ModalActions.CHANNELS: {"type": "multi_conversations_select",
                                                       "selected_conversations": list(channels)}},
        ModalBlocks.PEOPLE: {ModalActions.PEOPLE: {"type": "multi_users_select", "selected_users": list(people)}},
        ModalBlocks.EMAILS: {ModalActions.EMAILS: text(emails)},
        ModalBlocks.FORMATS: {ModalActions.FORMATS: {"type": "checkboxes", "selected_options": [
            {"value": f} for f in formats]}},
        ModalBlocks.OPTIONS: {ModalActions.OPTIONS: {"type": "checkboxes", "selected_options": (
            [{"value": ModalOptions.SKIP_IF_EMPTY}] if skip else [])}},
    }
    for param, value in (params or {}).items():
        state[f"{ModalBlocks.PARAM_PREFIX}{param}"] = {ModalActions.PARAM: value}
    return state


def block(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def open_modal(slack, text="", **kwargs):
    count = len(slack.emulator.opened_views())
    slack.command(text, expect_reply=False, **kwargs)
    return slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > count and slack.latest_view())


def stored(db):
    with db.session() as s:
        rows = list(s.scalars(select(Schedule).where(Schedule.status != ScheduleStatus.DELETED)))
        return rows


def test_switching_report_type_shows_that_types_parameters(slack, inventory_type):
    view = open_modal(slack)
    assert block(view, f"{ModalBlocks.PARAM_PREFIX}region")["element"]["type"] == "static_select"  # demo_sales
    slack.view_action(view, ModalActions.REPORT_TYPE, ModalBlocks.REPORT_TYPE,
                      {"type": "static_select", "selected_option": {"value": INVENTORY}},
                      values(report=INVENTORY, name="Stock"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    params = {b["block_id"]: b for b in updated["blocks"] if b.get("block_id", "").startswith(ModalBlocks.PARAM_PREFIX)}
    assert list(params) == [f"{ModalBlocks.PARAM_PREFIX}{p}" for p in (
        "warehouse", "min_stock", "include_empty", "unit", "window", "window_n")]  # the window settings too
    assert params[f"{ModalBlocks.PARAM_PREFIX}warehouse"]["optional"] is False
    assert params[f"{ModalBlocks.PARAM_PREFIX}min_stock"]["element"]["type"] == "number_input"
    assert params[f"{ModalBlocks.PARAM_PREFIX}include_empty"]["element"]["type"] == "checkboxes"
    assert block(updated, ModalBlocks.NAME)["element"]["initial_value"] == "Stock"  # what was typed stays
    assert updated["id"] == view["id"]  # the same modal, updated in place


def test_pressing_enter_in_the_cadence_reads_it_back(slack):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.CADENCE, ModalBlocks.CADENCE,
                      {"type": "plain_text_input", "value": "every monday at 9"}, values(cadence="every monday at 9"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    preview = block(updated, ModalBlocks.CADENCE_PREVIEW)["elements"][0]["text"]
    assert "*Every Monday at 09:00 in Europe/Berlin*" in preview and "CET" in preview
    # What each report covers, then the same five next runs with UTC as every other surface shows.
    assert "📅 Covers the previous week — the next report: Mon 16 Nov – Sun 22 Nov 2026 (week 47)" in preview
    assert "Next runs (Europe/Berlin, with UTC):" in preview and preview.count("\n• ") == 5
    assert "• Mon 23 Nov 2026 09:00 CET  (Mon 23 Nov 08:00 UTC)" in preview
    slack.view_action(updated, ModalActions.CADENCE, ModalBlocks.CADENCE,
                      {"type": "plain_text_input", "value": "every blursday"}, values(cadence="every blursday"))
    worse = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 2 and slack.latest_view())
    assert block(worse, ModalBlocks.CADENCE_PREVIEW)["elements"][0]["text"].startswith("⚠️ ")


def test_time_zones_are_searchable_and_change_the_read_back(slack):
    view = open_modal(slack)
    found = slack.options(ModalActions.TIMEZONE, "tok", view, block_id=ModalBlocks.TIMEZONE)
    assert {"text": {"type": "plain_text", "text": "Asia/Tokyo"}, "value": "Asia/Tokyo"} in found["options"]
    assert len(slack.options(ModalActions.TIMEZONE, "", view, block_id=ModalBlocks.TIMEZONE)["options"]) == 100
    slack.view_action(view, ModalActions.TIMEZONE, ModalBlocks.TIMEZONE,
                      {"type": "external_select", "selected_option": {"value": "America/New_York"}},
                      values(tz="America/New_York"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    assert "America/New_York" in block(updated, ModalBlocks.CADENCE_PREVIEW)["elements"][0]["text"]


def test_problems_are_shown_next_to_their_fields(slack, ctx):
    view = open_modal(slack)
    status, answer = slack.submit(view, values(name=" ", cadence="every day at 25:00", channels=(OPS,),
                                               emails="ana@elsewhere.org, not-an-email", formats=()))
    assert status == 200 and answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {ModalBlocks.NAME, ModalBlocks.CADENCE, ModalBlocks.CHANNELS, ModalBlocks.EMAILS}
    assert "name" in errors[ModalBlocks.NAME]
    assert "25:00" in errors[ModalBlocks.CADENCE]
    assert "member" in errors[ModalBlocks.CHANNELS] and "#ops" in errors[ModalBlocks.CHANNELS]
    assert "not an email address" in errors[ModalBlocks.EMAILS] and "allowed email" in errors[ModalBlocks.EMAILS]
    assert stored(ctx.database) == []


def test_a_private_channel_without_the_bot_asks_for_an_invite(slack):
    view = open_modal(slack)
    _, answer = slack.submit(view, values(channels=("G0SECRET1",)))
    assert "/invite @reportbot" in answer["errors"][ModalBlocks.CHANNELS]


def test_no_destination_at_all_is_an_error_on_the_channels(slack):
    view = open_modal(slack)
    _, answer = slack.submit(view, values(channels=()))
    assert "at least one channel" in answer["errors"][ModalBlocks.CHANNELS]


def test_a_required_parameter_is_asked_for(slack, inventory_type):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.REPORT_TYPE, ModalBlocks.REPORT_TYPE,
                      {"type": "static_select", "selected_option": {"value": INVENTORY}}, values(report=INVENTORY))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    _, answer = slack.submit(updated, values(report=INVENTORY, params={
        "warehouse": text(""), "min_stock": {"type": "number_input", "value": "ten"}}))
    assert "required" in answer["errors"][f"{ModalBlocks.PARAM_PREFIX}warehouse"]
    assert "whole number" in answer["errors"][f"{ModalBlocks.PARAM_PREFIX}min_stock"]


def test_submitting_creates_the_schedule_tells_the_user_and_refreshes_home(slack, ctx):
    slack.command("admin domains example.com", user_id=ADMIN)
    view = open_modal(slack)
    status, answer = slack.submit(view, values(
        name="Weekly sales", cadence="every monday at 8:30", tz="America/New_York",
        channels=(SALES, "C0LAUNCH1"), people=(BOB,), emails="Ana@Example.com", formats=("csv", "xlsx"),
        skip=True, params={"region": select_("North")}))
    assert (status, answer) == (200, {})  # the modal closes
    [schedule] = stored(ctx.database)
    assert (schedule.name, schedule.timezone, schedule.formats, schedule.skip_if_empty) == (
        "Weekly sales", "America/New_York", ["csv", "xlsx"], True)
    # No period chosen: none stored, so its reports cover what the schedule means (the previous week).
    assert schedule.params == {"region": "North", "view": "detail"}
    assert sorted((d.kind, d.target) for d in schedule.destinations) == [
        ("email", "ana@example.com"), ("slack_channel", "C0LAUNCH1"), ("slack_channel", SALES),
        ("slack_user", BOB)]
    assert [c.params["channel"] for c in slack.emulator.calls("conversations.join")] == ["C0LAUNCH1"]
    told = slack.emulator.wait_for(lambda: slack.emulator.ephemerals(SALES, ALICE))[-1]
    assert "Scheduled *Weekly sales*" in told["text"] and "America/New_York" in told["text"]
    home = slack.emulator.wait_for(lambda: slack.emulator.home_view(ALICE))
    assert "Weekly sales" in json.dumps(home["blocks"])


def test_editing_changes_the_schedule_in_place(slack_any, job_context):
    slack_any.command('new "Daily sales" every day at 9am in #sales and @bob')
    slack_any.command("edit daily sales", expect_reply=False)
    view = slack_any.latest_view()
    status, answer = slack_any.submit(view, values(name="Morning sales", cadence="every weekday at 7am",
                                                   channels=(SALES,), people=()))
    assert (status, answer) == (200, {})
    [schedule] = stored(job_context.database)
    assert schedule.name == "Morning sales" and schedule.cadence_text == "every weekday at 7am"
    assert [(d.kind, d.target) for d in schedule.destinations] == [("slack_channel", SALES)]
    told = slack_any.emulator.wait_for(lambda: slack_any.emulator.ephemerals(SALES, ALICE))[-1]
    assert "Updated *Morning sales*" in told["text"]


def test_editing_to_a_taken_name_is_a_field_error(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command('new "Weekly sales" every monday at 9am in #sales')
    slack.command("edit weekly sales", expect_reply=False)
    _, answer = slack.submit(slack.latest_view(), values(name="daily sales"))
    assert "already exists" in answer["errors"][ModalBlocks.NAME]


def test_someone_else_cannot_submit_an_edit(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command("edit daily sales", expect_reply=False)
    _, answer = slack.submit(slack.latest_view(), values(name="Hijacked"), user_id=BOB)
    assert "Only <@U0ALICE01>" in answer["errors"][ModalBlocks.NAME]
    assert [s.name for s in stored(ctx.database)] == ["Daily sales"]


def test_send_me_a_preview_now_dms_the_report_without_saving(slack, ctx, recording_enqueue):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "preview"},
                      values(name="Daily sales"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    assert "Generating a preview of “Daily sales”" in block(updated, ModalBlocks.PREVIEW_STATUS)["elements"][0]["text"]
    dm = slack.dm_channel(ALICE)
    assert "Generating a preview of *Daily sales*" in slack.bot_messages(dm)[-1]["text"]
    assert stored(ctx.database) == []  # nothing was scheduled
    with ctx.database.session() as s:
        run = s.scalar(select(Run))
        hidden = s.get(Schedule, run.schedule_id)
        assert hidden.status == ScheduleStatus.DELETED and [d.target for d in hidden.destinations] == [ALICE]
    assert recording_enqueue.calls == [(run.id, "generate_now", 0)]


def test_a_preview_needs_a_readable_cadence(slack):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "preview"},
                      values(cadence="every blursday"))
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    assert "Can't preview yet" in block(updated, ModalBlocks.PREVIEW_STATUS)["elements"][0]["text"]


def email_values(subject="", cc="", bcc="", files=AttachMode.AUTO, **kwargs) -> dict:
    state = values(**kwargs)
    state[ModalBlocks.EMAIL_SUBJECT] = {ModalActions.EMAIL_SUBJECT: text(subject)}
    state[ModalBlocks.EMAIL_CC] = {ModalActions.EMAIL_CC: text(cc)}
    state[ModalBlocks.EMAIL_BCC] = {ModalActions.EMAIL_BCC: text(bcc)}
    state[ModalBlocks.EMAIL_FILES] = {ModalActions.EMAIL_FILES: select_(files)}
    return state


def email_options_of(db, schedule_id):
    with db.session() as s:
        return email_repo.email_options(s, schedule_id)


def test_email_subject_copies_and_links_are_saved_and_shown_again_when_editing(slack, ctx):
    slack.command("admin domains example.com", user_id=ADMIN)
    view = open_modal(slack)
    assert block(view, ModalBlocks.EMAIL_FILES)["element"]["initial_option"]["value"] == AttachMode.AUTO
    status, answer = slack.submit(view, email_values(
        emails="client@example.com", subject="{name} for {date}", cc="Boss@Example.com, boss@example.com",
        bcc="archive@example.com", files=AttachMode.LINK))
    assert (status, answer) == (200, {})
    [schedule] = stored(ctx.database)
    options = email_options_of(ctx.database, schedule.id)
    assert (options.subject_template, options.cc, options.bcc, options.attach_mode) == (
        "{name} for {date}", ["boss@example.com"], ["archive@example.com"], AttachMode.LINK)

    edit = open_modal(slack, "edit daily sales")
    assert block(edit, ModalBlocks.EMAIL_SUBJECT)["element"]["initial_value"] == "{name} for {date}"
    assert block(edit, ModalBlocks.EMAIL_CC)["element"]["initial_value"] == "boss@example.com"
    assert block(edit, ModalBlocks.EMAIL_BCC)["element"]["initial_value"] == "archive@example.com"
    assert block(edit, ModalBlocks.EMAIL_FILES)["element"]["initial_option"]["value"] == AttachMode.LINK
    shown = slack.command("show daily sales")
    assert "✉️ Email: subject “{name} for {date}” · cc boss@example.com · bcc archive@example.com · download links" \
        in shown
    # clearing the fields goes back to the defaults
    assert slack.submit(edit, email_values(emails="client@example.com")) == (200, {})
    options = email_options_of(ctx.database, schedule.id)
    assert (options.subject_template, options.cc, options.bcc, options.attach_mode) == (None, [], [], AttachMode.AUTO)


def test_schedule_without_email_options_stores_none(slack, ctx):
    assert slack.submit(open_modal(slack), email_values()) == (200, {})
    [schedule] = stored(ctx.database)
    assert email_options_of(ctx.database, schedule.id) is None


def test_email_option_problems_are_shown_next_to_their_fields(slack, ctx):
    slack.command("admin domains example.com", user_id=ADMIN)
    view = open_modal(slack)
    _, answer = slack.submit(view, email_values(
        emails="client@example.com", subject="{name} {customer}", cc="boss@elsewhere.org", bcc="not-an-address"))
    errors = answer["errors"]
    assert set(errors) == {ModalBlocks.EMAIL_SUBJECT, ModalBlocks.EMAIL_CC, ModalBlocks.EMAIL_BCC}
    assert "{customer}" in errors[ModalBlocks.EMAIL_SUBJECT] and "{window}" in errors[ModalBlocks.EMAIL_SUBJECT]
    assert "allowlist" in errors[ModalBlocks.EMAIL_CC]
    assert "not an email address" in errors[ModalBlocks.EMAIL_BCC]
    assert stored(ctx.database) == []


def test_more_copies_than_a_schedule_takes_are_refused(slack, ctx):
    slack.command("admin domains example.com", user_id=ADMIN)
    many = ", ".join(f"person{n}@example.com" for n in range(21))
    _, answer = slack.submit(open_modal(slack), email_values(emails="client@example.com", bcc=many))
    assert "21 addresses" in answer["errors"][ModalBlocks.EMAIL_BCC] and stored(ctx.database) == []


def test_copies_without_an_email_address_are_refused(slack, ctx):
    slack.command("admin domains example.com", user_id=ADMIN)
    _, answer = slack.submit(open_modal(slack), email_values(cc="boss@example.com"))
    assert "add an address under “Email to”" in answer["errors"][ModalBlocks.EMAIL_CC]
    assert stored(ctx.database) == []


NASTY_EMAIL_TEXT = st.sampled_from(["", " ", "a@example.com", "A@EXAMPLE.COM,, b@example.com", "x@elsewhere.org",
                                    "<mailto:c@example.com|c@example.com>", "not an address", "{name}", "{rows} {oops}",
                                    "{", "}", "{{name}}", "\x00", "\n", "🙂", "a" * 400,
                                    "payload={}"]) | st.text(max_size=60)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=NASTY_EMAIL_TEXT, cc=NASTY_EMAIL_TEXT, bcc=NASTY_EMAIL_TEXT, emails=NASTY_EMAIL_TEXT,
       files=st.sampled_from([AttachMode.AUTO, AttachMode.LINK, AttachMode.ATTACH, "", "zip", "\x00"]))
def test_any_email_fields_get_field_errors_or_a_whole_schedule(slack, ctx, subject, cc, bcc, emails, files):
    slack.command("admin domains example.com", user_id=ADMIN)
    before = len(stored(ctx.database))
    status, answer = slack.submit(open_modal(slack), email_values(
        name=f"Fuzz {before}", emails=emails, subject=subject, cc=cc, bcc=bcc, files=files))
    assert status == 200
    after = stored(ctx.database)
    if answer == {}:
        assert len(after) == before + 1
        options = email_options_of(ctx.database, after[-1].id)
        if options is not None:
            assert options.attach_mode in set(AttachMode) and all("@" in a for a in options.cc + options.bcc)
    else:
        assert answer["response_action"] == "errors" and len(after) == before
        assert set(answer["errors"]) <= set(ModalBlocks)
        assert all(message.strip() and len(message) <= 2000 for message in answer["errors"].values())
