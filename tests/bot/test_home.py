"""App Home: schedules with their sentence, destinations, status, next run and last result; the
buttons on it; recent deliveries per destination; the admins' switch; paging under 100 blocks."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from jobs.slack_ids import (
    HomeActions,
    HomeBlocks,
    OverflowChoices,
    ScheduleActions,
    ViewCallbacks,
)
from slack_emulator import validate_view
from storage.models import Artifact, Delivery, Run, RunStatus, Schedule, ScheduleStatus
from storage.schedules import NewDestination
from tests.bot.conftest import ADMIN, ALICE, BOB
from tests.factories import make_schedule
from tests.support.people import SALES, TEAM

UTC = dt.UTC


def open_home(slack, user_id=ALICE) -> dict:
    before = len(slack.emulator.calls("views.publish"))
    status, _ = slack.event({"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"})
    assert status == 200
    slack.emulator.wait_for(lambda: len(slack.emulator.calls("views.publish")) > before)
    view = slack.emulator.home_view(user_id)
    assert validate_view(view, "home") == [] and len(view["blocks"]) <= 100
    return view


def texts(view) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def card(view, schedule_id):
    return next(b for b in view["blocks"] if b.get("block_id") == f"{HomeBlocks.SCHEDULE_PREFIX}{schedule_id}")


def add_run(db, schedule_id, **fields):
    with db.session() as s:
        run = Run(schedule_id=schedule_id, **fields)
        s.add(run)
        s.flush()
        return run.id


def test_home_shows_each_schedule_with_sentence_destinations_status_next_run_and_buttons(slack, ctx):
    slack.command('new "Daily sales" every weekday at 9am in #sales and @bob')
    view = open_home(slack)
    section = card(view, 1)
    text = section["text"]["text"]
    assert "*Daily sales*" in text and "Every weekday at 09:00 in Europe/Berlin → #sales, @bob" in text
    assert "Status: 🟢 active" in text
    assert re.search(r"Next run: in \d+ (h|d|min) · \w{3} (\d\d \w{3} )?09:00 CET", text), text
    assert [o["value"] for o in section["accessory"]["options"]] == [f"{OverflowChoices.HISTORY}:1",
                                                                      f"{OverflowChoices.DELETE}:1"]
    actions = next(b for b in view["blocks"] if b.get("block_id") == f"{HomeBlocks.ACTIONS_PREFIX}1")
    assert [e["text"]["text"] for e in actions["elements"]] == ["Run now", "Pause", "Edit"]


def test_recent_deliveries_show_each_destination_the_files_once_and_errors_in_plain_words(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales and @bob')
    finished = ctx.now() - dt.timedelta(minutes=5)
    with ctx.database.session() as s:
        run = Run(schedule_id=1, scheduled_for=finished, status=RunStatus.PARTIAL, row_count=1234,
                  finished_at=finished, error="slack_user:U0BOB0001: user_disabled")
        run.artifacts = [Artifact(format="csv", filename="daily-sales.csv", storage_key="k", size=1, sha256="x",
                                  content_type="text/csv")]
        run.deliveries = [
            Delivery(destination="slack_channel:C0SALES01", status="sent", slack_file_ids=["F0FILE01"]),
            Delivery(destination="slack_user:U0BOB0001", status="failed", last_error="user_disabled"),
        ]
        s.add(run)
    view = open_home(slack)
    runs = texts(view)
    assert "Recent deliveries" in runs and "partial 5 min ago · scheduled · 1,234 rows · 1 file, 1 B" in runs
    # Every destination's outcome on one line, the files once on another (not once per destination).
    assert "✅ #sales · ❌ @bob: that person's account is deactivated" in runs
    assert runs.count("📎 <https://acme.slack.com/files/UB0TEST01/F0FILE01/daily-sales.csv|CSV>") == 1
    assert "Last result: ⚠️ partial 5 min ago" in card(view, 1)["text"]["text"]


def test_home_is_refreshed_after_every_change(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    assert "Daily sales" in texts(slack.emulator.home_view(ALICE))  # refreshed on create
    slack.command("pause daily sales")
    assert "⏸️ paused" in card(slack.emulator.home_view(ALICE), 1)["text"]["text"]
    slack.command("resume daily sales")
    assert "🟢 active" in card(slack.emulator.home_view(ALICE), 1)["text"]["text"]


def test_pause_resume_and_run_now_from_home(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    view = open_home(slack)
    slack.click(ScheduleActions.PAUSE, "1", view=view)
    paused = slack.emulator.wait_for(lambda: "Resume" in texts(slack.emulator.home_view(ALICE))
                                     and slack.emulator.home_view(ALICE))
    with ctx.database.session() as s:
        assert s.get(Schedule, 1).status == ScheduleStatus.PAUSED
    slack.click(ScheduleActions.RESUME, "1", view=paused)
    slack.emulator.wait_for(lambda: "Pause" in texts(slack.emulator.home_view(ALICE)))
    slack.click(ScheduleActions.RUN_NOW, "1", view=open_home(slack))
    dm = slack.dm_channel(ALICE)
    progress = slack.emulator.wait_for(lambda: slack.bot_messages(dm))[-1]
    assert progress["text"].startswith("⏳ Generating *Daily sales*")
    slack.emulator.wait_for(lambda: recording_enqueue.calls)
    assert [phase for _, phase, _ in recording_enqueue.calls] == ["generate_now"]


def test_edit_history_and_delete_from_home(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    view = open_home(slack)
    slack.click(ScheduleActions.EDIT, "1", view=view)
    assert slack.latest_view()["title"]["text"] == "Edit scheduled report"
    option = {"value": f"{OverflowChoices.HISTORY}:1", "text": {"type": "plain_text", "text": "History"}}
    slack.click(ScheduleActions.OVERFLOW, view=view, selected_option=option, action_type="overflow")
    history = slack.emulator.wait_for(lambda: slack.latest_view()["callback_id"] == ViewCallbacks.INFO_MODAL
                                      and slack.latest_view())
    assert "History of Daily sales" in texts(history)
    option = {"value": f"{OverflowChoices.DELETE}:1", "text": {"type": "plain_text", "text": "Delete…"}}
    slack.click(ScheduleActions.OVERFLOW, view=view, selected_option=option, action_type="overflow")
    confirm = slack.emulator.wait_for(lambda: slack.latest_view()["callback_id"] == ViewCallbacks.DELETE_MODAL
                                      and slack.latest_view())
    assert (slack.submit(confirm, {})) == (200, {})
    with ctx.database.session() as s:
        assert s.get(Schedule, 1).status == ScheduleStatus.DELETED
    slack.emulator.wait_for(lambda: "no scheduled reports yet" in texts(slack.emulator.home_view(ALICE)))


def test_someone_elses_buttons_are_refused_in_a_small_modal(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.click(ScheduleActions.PAUSE, "1", user_id=BOB, view=open_home(slack, BOB))
    refusal = slack.emulator.wait_for(lambda: slack.latest_view()["callback_id"] == ViewCallbacks.INFO_MODAL
                                      and slack.latest_view())
    assert "Only <@U0ALICE01>" in texts(refusal)
    with ctx.database.session() as s:
        assert s.get(Schedule, 1).status == ScheduleStatus.ACTIVE


def test_admins_switch_to_all_schedules_and_others_cannot(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command('new "Bob digest" every day at 8am in #sales', user_id=BOB)
    assert HomeActions.SCOPE not in texts(open_home(slack, ALICE))
    view = open_home(slack, ADMIN)
    toolbar = next(b for b in view["blocks"] if b.get("block_id") == HomeBlocks.TOOLBAR)
    switch = next(e for e in toolbar["elements"] if e["action_id"] == HomeActions.SCOPE)
    assert switch["value"] == "all" and "You have no scheduled reports yet" in texts(view)
    slack.click(HomeActions.SCOPE, "all", user_id=ADMIN, view=view)
    everyone = slack.emulator.wait_for(lambda: "All scheduled reports" in texts(slack.emulator.home_view(ADMIN))
                                       and slack.emulator.home_view(ADMIN))
    assert ("Daily sales" in texts(everyone) and "Bob digest" in texts(everyone)
            and "Owner: <@U0BOB0001>" in texts(everyone))
    slack.click(HomeActions.SCOPE, "all", user_id=ALICE, view=open_home(slack, ALICE))  # forged click
    slack.settle()
    assert "Bob digest" not in texts(slack.emulator.home_view(ALICE))


def test_many_schedules_are_paged_and_stay_under_100_blocks(slack, ctx):
    with ctx.database.session() as s:
        for n in range(27):
            make_schedule(s, name=f"Report {n:02d}", after=ctx.now())
    view = open_home(slack)
    assert len([b for b in view["blocks"] if b.get("block_id", "").startswith(HomeBlocks.SCHEDULE_PREFIX)]) == 10
    assert "Page 1 of 3 · 27 schedules" in texts(view)
    slack.click(HomeActions.PAGE_NEXT, "1", view=view)
    page2 = slack.emulator.wait_for(lambda: "Page 2 of 3" in texts(slack.emulator.home_view(ALICE))
                                    and slack.emulator.home_view(ALICE))
    pager = next(b for b in page2["blocks"] if b.get("block_id") == HomeBlocks.PAGER)
    assert [e["action_id"] for e in pager["elements"]] == [HomeActions.PAGE_PREV, HomeActions.PAGE_NEXT]
    slack.click(HomeActions.PAGE_NEXT, "2", view=page2)
    last = slack.emulator.wait_for(lambda: "Page 3 of 3" in texts(slack.emulator.home_view(ALICE))
                                   and slack.emulator.home_view(ALICE))
    assert len([b for b in last["blocks"] if b.get("block_id", "").startswith(HomeBlocks.SCHEDULE_PREFIX)]) == 7
    assert len(last["blocks"]) <= 100


def test_the_worker_keeps_the_page_the_person_chose(slack, ctx):
    from jobs.home import publish_home

    with ctx.database.session() as s:
        for n in range(12):
            make_schedule(s, name=f"Report {n:02d}", after=ctx.now(),
                          destinations=[NewDestination("slack_channel", SALES, "#sales")])
    slack.click(HomeActions.PAGE_NEXT, "1", view=open_home(slack))
    slack.emulator.wait_for(lambda: "Page 2 of 2" in texts(slack.emulator.home_view(ALICE)))
    publish_home(ctx, TEAM, ALICE)  # what a worker does after a run
    assert "Page 2 of 2" in texts(slack.emulator.home_view(ALICE))


def test_refresh_and_new_report_buttons(slack):
    view = open_home(slack)
    slack.click(HomeActions.CREATE, view=view)
    assert slack.latest_view()["title"]["text"] == "New scheduled report"
    before = len(slack.emulator.calls("views.publish"))
    slack.click(HomeActions.REFRESH, "0", view=view)
    slack.emulator.wait_for(lambda: len(slack.emulator.calls("views.publish")) > before)


def test_a_deleted_schedules_runs_leave_home(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales')
    add_run(ctx.database, 1, scheduled_for=ctx.now(), status=RunStatus.DELIVERED, finished_at=ctx.now())
    assert "Daily sales* — delivered" in texts(open_home(slack))
    with ctx.database.session() as s:
        s.get(Schedule, 1).status = ScheduleStatus.DELETED
    assert "No runs yet" in texts(open_home(slack))
    with ctx.database.session() as s:
        assert s.scalar(select(Run.status)) == RunStatus.DELIVERED  # history is kept

