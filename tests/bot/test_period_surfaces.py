"""What people read about periods and runs: the read-back at creation, `/report show` with human
labels and counters, `/report preview`, Run now and `/report run … for …`, history with trigger,
duration, rows, file sizes and per-destination outcomes, tags and the workspace's week start."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jobs.slack_ids import ModalActions, ModalBlocks
from storage.models import Artifact, Delivery, Run, RunStatus, Schedule
from tests.bot.conftest import ADMIN, ALICE, BOB
from tests.bot.test_conversation import last_dm
from tests.bot.test_modal import block, open_modal, select_, text, values
from tests.factories import make_schedule

UTC = dt.UTC


def schedule_named(ctx, name: str) -> Schedule:
    with ctx.database.session() as s:
        return s.scalar(select(Schedule).where(Schedule.name == name))


def test_creating_a_weekly_report_says_which_week_each_report_covers(slack):
    reply = slack.command('new "Weekly sales" every monday at 9 in #sales')
    assert "📅 Covers the previous week — the next report: Mon 16 Nov – Sun 22 Nov 2026 (week 47), Europe/Berlin" \
        in reply
    assert "Next runs (Europe/Berlin, with UTC):" in reply and reply.count("\n• ") == 5
    assert "• Mon 30 Nov 2026 09:00 CET  (Mon 30 Nov 08:00 UTC)" in reply
    preview = slack.command("preview every 1st of the month at 8")
    assert "📅 Covers the previous month — the next report: November 2026, Europe/Berlin" in preview
    assert preview.count("\n• ") == 5 and "(Tue 01 Dec 07:00 UTC)" in preview


def test_a_one_liner_chooses_the_period_with_covering(slack, ctx):
    reply = slack.command('new "Rolling sales" every monday at 9 in #sales covering the last 7 days as pdf')
    assert "📅 Covers the last 7 days" in reply
    schedule = schedule_named(ctx, "Rolling sales")
    assert (schedule.params["window"], schedule.params["window_n"], schedule.formats) == ("last_n_days", 7, ["pdf"])
    assert "📅 Covers the month so far" in slack.command('new "MTD" every day at 9 covering month to date in #sales')
    refused = slack.command('new "Odd" every day at 9 in #sales covering fortnights')
    assert "I don't know the period “fortnights”" in refused and schedule_named(ctx, "Odd") is None
    slack.command("new Cost covering report every monday at 9 in #sales")  # a name that says "covering"
    assert "window" not in schedule_named(ctx, "Cost covering report").params
    slack.dm("send the demo sales report to #sales every friday at 5pm covering this week")
    assert "Covers the week so far" in last_dm(slack)["text"]  # the conversation reads it the same way


def test_show_says_the_period_labels_settings_for_people_and_counts_the_runs(slack, ctx):
    with ctx.database.session() as s:
        schedule = make_schedule(s, name="Regional sales", cadence_text="every monday at 9", tags=["finance", "kpi"],
                                 description="Revenue per region for the Monday meeting.",
                                 params={"region": "North", "view": "by_region", "window": "last_n_days",
                                         "window_n": 28})
        schedule.run_count, schedule.success_count, schedule.failure_count = 12, 11, 1
    shown = slack.command("show regional sales")
    assert "`finance` `kpi`" in shown and "_Revenue per region for the Monday meeting._" in shown
    assert "📄 Demo sales (Region: North · View: by_region) as CSV" in shown
    assert "window" not in shown.lower().replace("window_label", "")  # no raw parameter names
    assert "📅 Covers the last 28 days — the next report: Mon 26 Oct – Sun 22 Nov 2026, Europe/Berlin" in shown
    assert "📈 12 runs: 11 succeeded, 1 failed" in shown
    assert shown.count("\n• ") == 5 and "(Mon 23 Nov 08:00 UTC)" in shown
    # Someone it reaches in #sales sees what it covers and how runs went, not its settings.
    seen_by_bob = slack.command("show regional sales", user_id=BOB)
    assert "📅 Covers the last 28 days" in seen_by_bob and "Region: North" not in seen_by_bob
    slack.command("pause regional sales")  # paused: no next report to give dates for
    assert "📅 Covers the last 28 days.\n" in slack.command("show regional sales")


def test_run_now_covers_the_most_recent_slot_and_run_for_a_period_covers_that(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command('new "Sales for Europe" every monday at 9 in #sales')
    slack.command('new "Weekly sales" every monday at 9 in #sales')
    # Monday 01:00 in Berlin: the most recent slot was Sunday 09:00, which covered Saturday.
    said = slack.command("run daily sales")
    assert said.startswith("⏳ Generating *Daily sales* for the previous day, Sat 21 Nov 2026, Europe/Berlin…")
    assert "`/report run Daily sales for last month`" in said
    # A name with "for" in it is that schedule, not a period; a period after "for" is one.
    assert slack.command("run sales for europe", user_id=ADMIN).startswith(
        "⏳ Generating *Sales for Europe* for the previous week, Mon 9 Nov – Sun 15 Nov 2026 (week 46)")
    chosen = slack.command("run weekly sales for last month", user_id=ADMIN)
    assert chosen.startswith("⏳ Generating *Weekly sales* for the previous month, October 2026, Europe/Berlin")
    assert "Another period?" not in chosen  # one was chosen
    slack.emulator.wait_for(lambda: len(recording_enqueue.calls) >= 3)
    with ctx.database.session() as s:
        periods = [(r.schedule_id, r.trigger, r.period) for r in s.scalars(select(Run).order_by(Run.id))]
    assert periods[0] == (1, "manual", {"kind": "schedule", "n": 7, "as_of": "2026-11-22T08:00:00+00:00"})
    assert periods[1] == (2, "manual", {"kind": "schedule", "n": 7, "as_of": "2026-11-16T08:00:00+00:00"})
    assert periods[2] == (3, "manual", {"kind": "previous_month", "n": 7})


def test_history_tells_how_each_run_started_how_long_it_took_and_what_it_sent(slack, ctx):
    slack.command('new "Daily sales" every day at 9am in #sales and @bob')
    slot = dt.datetime(2026, 11, 22, 8, tzinfo=UTC)
    with ctx.database.session() as s:
        for n, (trigger, by) in enumerate([("schedule", None), ("catch_up", None), ("manual", ALICE),
                                           ("api", "api"), ("retry", BOB)]):
            run = Run(schedule_id=1, scheduled_for=slot - dt.timedelta(days=n), trigger=trigger, triggered_by=by,
                      status=RunStatus.DELIVERED, row_count=1234, duration_ms=2140 + n * 60_000,
                      finished_at=slot - dt.timedelta(days=n) + dt.timedelta(seconds=3),
                      summary={"window_label": f"Sat {21 - n} Nov 2026, Europe/Berlin", "period": "the previous day"})
            run.artifacts = [Artifact(format="csv", filename="daily.csv", storage_key=f"a{n}", size=512, sha256="x",
                                      content_type="text/csv"),
                             Artifact(format="pdf", filename="daily.pdf", storage_key=f"b{n}", size=1024, sha256="x",
                                      content_type="application/pdf")]
            run.deliveries = [Delivery(destination="slack_channel:C0SALES01", status="sent",
                                       slack_file_ids=["F1", "F2"]),
                              Delivery(destination="slack_user:U0BOB0001", status="failed", last_error="user_disabled")]
            s.add(run)
    history = slack.command("history daily sales")
    assert "✅ *Sun 22 Nov 2026 09:00 CET* — delivered" in history
    assert "scheduled · 1,234 rows · 2.1 s · 2 files, 1.5 KB" in history
    assert "catch-up after downtime · 1,234 rows · 1 min 2 s" in history
    assert f"run now by <@{ALICE}>" in history and "via the API" in history and f"retry by <@{BOB}>" in history
    assert "📅 Sat 21 Nov 2026, Europe/Berlin" in history
    assert "✅ #sales · ❌ @bob: that person's account is deactivated" in history
    assert history.count("📎 <https://acme.slack.com/files/UB0TEST01/F1/daily.csv|CSV> · "
                         "<https://acme.slack.com/files/UB0TEST01/F2/daily.pdf|PDF>") == 5  # once per run
    # Someone it is sent to sees how runs went, not who ran them, where else they went or the files.
    for_bob = slack.command("history daily sales", user_id=BOB)
    assert "run now · 1,234 rows" in for_bob and "<@" not in for_bob and "📎" not in for_bob


def test_list_filters_by_tag(slack, ctx):
    with ctx.database.session() as s:
        make_schedule(s, name="Revenue", tags=["finance", "board"])
        make_schedule(s, name="Signups", tags=["growth"])
        make_schedule(s, name="Refunds", tags=["finance"])
    listed = slack.command("list tag:Finance")
    assert "*Your scheduled reports* tagged `finance`" in listed
    assert "*Revenue* `finance` `board`" in listed and "*Refunds* `finance`" in listed and "Signups" not in listed
    assert "No scheduled reports of yours are tagged `nope`." in slack.command("list tagged nope")


def test_the_workspace_week_start_changes_what_weekly_reports_cover(slack):
    slack.command('new "Weekly sales" every monday at 9 in #sales')
    assert "Only workspace admins" in slack.command("admin weekstart sunday")
    assert "Weeks start on: Sunday" in slack.command("admin weekstart sunday", user_id=ADMIN)
    assert "— the next report: Sun 15 Nov – Sat 21 Nov 2026, Europe/Berlin" in slack.command("show weekly sales")
    assert "Which day do weeks start on?" in slack.command("admin weekstart someday", user_id=ADMIN)
    assert "Weeks start on: Monday" in slack.command("admin weekstart default", user_id=ADMIN)


def test_the_modal_keeps_a_description_and_tags_and_says_what_a_chosen_period_covers(slack, ctx):
    view = open_modal(slack)
    chosen = values(name="Monthly revenue", cadence="every monday at 9", params={"window": select_("previous_month")})
    slack.view_action(view, ModalActions.WINDOW, f"{ModalBlocks.PARAM_PREFIX}window",
                      select_("previous_month"), chosen)
    updated = slack.emulator.wait_for(lambda: len(slack.emulator.opened_views()) > 1 and slack.latest_view())
    preview = block(updated, ModalBlocks.CADENCE_PREVIEW)["elements"][0]["text"]
    assert "📅 Covers the previous month — the next report: October 2026, Europe/Berlin" in preview
    options = block(updated, f"{ModalBlocks.PARAM_PREFIX}window")["element"]["options"]
    assert options[0]["text"]["text"].startswith("As the schedule") and "Previous month" in [
        o["text"]["text"] for o in options]
    bad = {**chosen, ModalBlocks.TAGS: {ModalActions.TAGS: text("finance, not/a/tag")}}
    _, answer = slack.submit(updated, bad)
    assert "not “not/a/tag”" in answer["errors"][ModalBlocks.TAGS]
    good = {**chosen, ModalBlocks.TAGS: {ModalActions.TAGS: text("#Finance, board finance")},
            ModalBlocks.DESCRIPTION: {ModalActions.DESCRIPTION: text("For the board.\nSent on Mondays.")}}
    assert slack.submit(updated, good) == (200, {})
    saved = schedule_named(ctx, "Monthly revenue")
    assert (saved.tags, saved.description, saved.params["window"]) == (
        ["finance", "board"], "For the board.\nSent on Mondays.", "previous_month")
