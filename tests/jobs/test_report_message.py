"""The message a report arrives with: its title, the period it covers in words, the key figures as
Block Kit fields with their change against the previous report, the first rows, the buttons —
valid for Slack (the emulator's checks and slack_sdk's models) and escaped."""

from __future__ import annotations

import datetime as dt

from slack_sdk.models.blocks import Block

from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.tick import tick
from jobs.views.run_message import report_message_blocks
from slack_emulator import validate_blocks
from tests.factories import make_schedule
from tests.support.people import SALES, TO_SALES


def valid_for_slack(blocks: list[dict]) -> bool:
    for block in blocks:
        Block.parse(block).validate_json()  # raises SlackObjectFormationError
    return validate_blocks(blocks) == []


def run_once(ctx, enqueue, emulator, slot: dt.datetime) -> dict:
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, enqueue).created
    assert generate(ctx, run_id, enqueue) == "generated"
    deliver(ctx, run_id)
    return [m for m in emulator.messages(SALES) if m.get("files")][-1]


def test_a_weekly_report_leads_with_its_period_and_key_figures_and_their_change(job_context, recording_enqueue,
                                                                                 emulator):
    with job_context.database.session() as s:
        first = make_schedule(s, name="Weekly sales", cadence_text="every monday at 9", destinations=[TO_SALES],
                              params={"view": "by_region"}).next_run_at
    run_once(job_context, recording_enqueue, emulator, first)
    message = run_once(job_context, recording_enqueue, emulator, first + dt.timedelta(days=7))
    blocks = message["blocks"]
    assert valid_for_slack(blocks)
    assert [b["type"] for b in blocks] == ["header", "context", "section", "context", "section", "actions"]
    assert blocks[0]["text"]["text"] == "Weekly sales"
    assert blocks[1]["elements"][0]["text"] == (
        "📅 Covers the previous week, Mon 23 Nov – Sun 29 Nov 2026 (week 48), Europe/Berlin · 4 rows")
    fields = [f["text"] for f in blocks[2]["fields"]]
    assert fields[0].startswith("Revenue\n*") and fields[1].startswith("Units\n*")
    assert all(("▲" in f or "▼" in f or "=" in f) and f.endswith("%") for f in fields)  # the change, in percent
    assert blocks[3]["elements"][0]["text"] == (
        "Changes against the previous report: Mon 16 Nov – Sun 22 Nov 2026 (week 47), Europe/Berlin")
    assert blocks[4]["text"]["text"].startswith("```")  # the rows, as a table


def test_what_a_report_says_is_escaped_and_fits_slack():
    summary = {
        "title": "<!channel> Sales & more" * 10, "period": "the previous day", "row_count": 3,
        "window_label": "Sun 22 Nov 2026, Europe/Berlin", "previous_label": "<@U123>",
        "figures": [{"label": f"<!here> figure {i}", "value": 10 ** i, "change_pct": -1.5} for i in range(14)],
        "more_figures": 3, "body": "*Answer* from the model, already safe mrkdwn", "notes": ["<b>note</b> & more"],
    }
    blocks = report_message_blocks(7, "fallback", summary=summary)
    assert valid_for_slack(blocks)
    text = str(blocks)
    # The title goes in a header, whose plain text Slack never reads as a mention or a link.
    assert blocks[0]["text"]["type"] == "plain_text" and len(blocks[0]["text"]["text"]) == 150
    assert "<!here>" not in text and "&lt;!here&gt; figure 0" in text and "&lt;@U123&gt;" in text
    assert len(blocks[2]["fields"]) == 10 and "+7 more figures in the files" in text  # 4 not shown + 3 never kept
    assert "▼ 1.5%" in blocks[2]["fields"][0]["text"]


def test_a_run_stored_before_periods_were_said_shows_its_text_as_it_was():
    blocks = report_message_blocks(7, "*Daily sales* · Sun 22 Nov 2026 · 3 rows", summary={"row_count": 3})
    assert [b["type"] for b in blocks] == ["section", "actions"] and valid_for_slack(blocks)
    assert blocks[0]["text"]["text"] == "*Daily sales* · Sun 22 Nov 2026 · 3 rows"


def test_an_empty_period_says_so_without_figures():
    summary = {"title": "Refunds", "period": "the previous day", "window_label": "Sun 22 Nov 2026, Europe/Berlin",
               "row_count": 0, "figures": [{"label": "Amount", "value": 0, "change_pct": None}],
               "body": "_No data for this period._"}
    blocks = report_message_blocks(7, "fallback", summary=summary)
    assert [b["type"] for b in blocks] == ["header", "context", "section", "actions"] and valid_for_slack(blocks)
    assert blocks[2]["text"]["text"] == "_No data for this period._"
