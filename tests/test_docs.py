"""Docs and wiring that cannot drift (datasette's tests/test_docs.py): every environment variable
the code reads is in the README, and every interactive element the app puts in front of people has
a listener."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from tests.conftest import REPO

PACKAGES = ("bot", "jobs", "reports", "storage")
# Keys of a WSGI request's environ, read by the web routes: not settings.
CGI = {"CONTENT_LENGTH", "CONTENT_TYPE", "PATH_INFO", "QUERY_STRING", "REMOTE_ADDR", "REQUEST_METHOD"}
READS = re.compile(r'(?:environ|env)(?:\.get)?\(\s*"([A-Z][A-Z0-9_]+)"|\((?:env|raw), "([A-Z][A-Z0-9_]+)"'
                   r'|environ\["([A-Z][A-Z0-9_]+)"\]|getenv\("([A-Z][A-Z0-9_]+)"|^\w+_ENV = "([A-Z][A-Z0-9_]+)"', re.M)


def settings_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for match in READS.finditer(path.read_text()):
                names.update(n for n in match.groups() if n)
    return {n for n in names if n not in CGI and not n.startswith("HTTP_")}


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    found = settings_read_by_the_code()
    assert len(found) > 40  # the scan sees the settings modules
    assert sorted(n for n in found if f"`{n}`" not in readme and f"`{n}," not in readme) == []


def interactive_elements(blocks: list[dict]) -> set[str]:
    """Action ids of everything a person can click or change that dispatches to the app."""
    ids: set[str] = set()
    for block in blocks:
        if block.get("type") == "actions":
            ids.update(e["action_id"] for e in block["elements"])
        elif block.get("type") == "section" and (block.get("accessory") or {}).get("action_id"):
            ids.add(block["accessory"]["action_id"])
        elif block.get("type") == "input" and block.get("dispatch_action"):
            ids.add(block["element"]["action_id"])
    return ids


def everything_the_app_shows() -> set[str]:
    """Build every message, modal and Home view with the interactive parts switched on."""
    from bot.forms import ScheduleForm
    from bot.metadata import ChatRequest, ModalMeta
    from bot.views import chat, replies
    from bot.views.modal import ModalContext, schedule_modal
    from jobs.views.failure_dm import failure_message
    from jobs.views.home import HomeData, ScheduleCard, build_home_view
    from jobs.views.progress import progress_finished
    from jobs.views.run_message import RunOutcome, report_message_blocks
    from reports.registry import all_report_types
    from storage.models import Schedule

    now = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    schedule = Schedule(id=1, team_id="T1", name="Daily sales", owner_user_id="U1", report_type="demo_sales",
                        params={}, formats=["csv"], cadence_text="every day at 9am", cadence={}, timezone="UTC",
                        status="active", destinations=[])
    blocks: list[dict] = []
    card = ScheduleCard(1, "Daily sales", "Every day at 09:00", ("#sales",), "active", "U1", "UTC", now)
    for scope in ("mine", "all"):
        blocks += build_home_view(HomeData("U1", scope, True, 1, 40, (card,), (), now))["blocks"]
    blocks += report_message_blocks(1, "text", mutable=True)
    for paused in (True, False):
        blocks += failure_message(schedule_id=1, run_id=2, name="x", status="failed", when="now", error="e",
                                  paused=paused, failures=3)[1]
    blocks += progress_finished(RunOutcome(2, 1, "Daily sales", "failed", error="boom"))[1]
    blocks += replies.schedule_detail(schedule, [], None, None, now).blocks
    schedule.status = "paused"
    blocks += replies.schedule_detail(schedule, [], None, None, now).blocks
    blocks += replies.delete_confirmation(schedule).blocks
    request = ChatRequest("pause", 1)
    blocks += chat.confirmation("?", request, "Pause it", form_request=ChatRequest("create")).blocks
    context = ModalContext(tuple(all_report_types()), ("csv", "png"))
    blocks += schedule_modal(ScheduleForm(report_type="demo_sales"), ModalMeta(), context, None)["blocks"]
    blocks += _alert_surfaces(now)
    return interactive_elements(blocks)


def _alert_surfaces(now: dt.datetime) -> list[dict]:
    """An alert's notification (firing, and snoozed), its App Home card and a failed check's reply."""
    from jobs.alerts.messages import (
        alert_line,
        alert_message_blocks,
        snoozed_block,
        with_snooze,
    )
    from jobs.alerts.progress import check_finished
    from jobs.views.home import HomeData, ScheduleCard, build_home_view
    from jobs.views.run_message import RunOutcome
    from reports.conditions import parse_condition
    from storage.alerts import Overview
    from storage.models import AlertEvaluation

    summary = {"alert": {"notice": "firing", "state": "firing", "value": 9120.0, "value_text": "total revenue 9,120",
                         "rule": "total revenue is below 10,000", "kind": "threshold", "slot": now.isoformat(),
                         "since": now.isoformat(), "timezone": "UTC"}}
    fired = alert_message_blocks(1, "Low revenue", summary)
    snoozed = with_snooze(fired, 1, snoozed_block(now, False, None, "UTC"))
    overview = Overview(1, "firing", now, 9120.0, now, (12000.0, 9120.0), None, False, None, None)
    line = alert_line(parse_condition("revenue < 10000").to_json(), overview, "UTC", show_snoozer=True)
    card = ScheduleCard(1, "Low revenue", "Every hour", ("#ops",), "active", "U1", "UTC", now, alert_line=line)
    home = build_home_view(HomeData("U1", "mine", False, 0, 1, (card,), (), now))["blocks"]
    failed = AlertEvaluation(outcome="error", state="error", detail="The check failed: the source is down")
    reply = check_finished(RunOutcome(2, 1, "Low revenue", "failed", error="e"), failed)[1]
    return fired + snoozed + home + reply


def test_every_interactive_element_the_app_shows_has_a_listener(emulator):
    from bot.app import create_app
    from bot.deps import BotDeps
    from bot.settings import BotSettings
    from jobs.context import JobContext
    from jobs.settings import JobSettings, SlackSettings
    from storage.db import Database
    from storage.filestore import ArtifactStore

    slack = SlackSettings(bot_token=emulator.bot_token(), api_url=emulator.base_url)
    context = JobContext(database=Database("sqlite://"), artifacts=ArtifactStore(REPO / ".unused"),
                         settings=JobSettings.from_env({}), slack_settings=slack)
    app = create_app(BotDeps(context, lambda *a: None, BotSettings(slack, "not-a-real-secret", None, 0)))
    shown = everything_the_app_shows()
    assert len(shown) >= 15
    unhandled = []
    for action_id in sorted(shown):
        body = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"},
                "actions": [{"action_id": action_id, "block_id": "b", "type": "button"}]}
        request = BoltRequest(body=body, mode="socket_mode")
        if not any(listener.matches(req=request, resp=BoltResponse(status=404)) for listener in app._listeners):
            unhandled.append(action_id)
    assert unhandled == []


@pytest.mark.parametrize("section", ["## Security", "## Two commands"])
def test_the_readme_has_its_sections(section):
    assert section in (REPO / "README.md").read_text()
