"""The App Home view, built from plain data: the person's schedules a page at a time and the recent deliveries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jobs.slack_ids import HomeActions, HomeBlocks, OverflowChoices, ScheduleActions
from jobs.views.blocks import STATUS_ICONS, clip, escape, plain_text
from jobs.views.run_message import RunOutcome, outcome_lines, run_facts
from jobs.views.slack_errors import plain_error
from jobs.views.time_words import local_time, relative
from storage.models import HomeScope, ScheduleStatus

PAGE_SIZE = 10  # 3 blocks each


MAX_RUNS = 8


STATE_WORDS = {"active": "🟢 active", "paused": "⏸️ paused", "error": "🔴 paused after repeated failures"}


@dataclass(frozen=True)
class ScheduleCard:
    id: int
    name: str
    sentence: str
    destinations: tuple[str, ...]
    status: str
    owner_user_id: str
    timezone: str
    next_run_at: dt.datetime | None
    last_status: str | None = None
    last_at: dt.datetime | None = None
    last_error: str | None = None
    period: str = ""  # what its reports cover ("the previous week")
    description: str = ""
    tags: tuple[str, ...] = ()
    alert_line: str | None = None  # an alert's rule, state, last value and trend (jobs.alerts.messages)


@dataclass(frozen=True)
class HomeData:
    user_id: str
    scope: str
    is_admin: bool
    page: int
    total: int
    cards: tuple[ScheduleCard, ...]
    runs: tuple[tuple[RunOutcome, dt.datetime], ...]  # the outcome and when it happened
    now: dt.datetime


def _card_blocks(card: ScheduleCard, data: HomeData) -> list[dict]:
    where = ", ".join(card.destinations) or "no destination"
    if card.status == ScheduleStatus.ACTIVE and card.next_run_at:
        next_run = f"{relative(card.next_run_at, data.now)} · {local_time(card.next_run_at, card.timezone, data.now)}"
    else:
        next_run = "not scheduled while paused" if card.status != ScheduleStatus.ACTIVE else "never (it has ended)"
    tags = "  " + " ".join(f"`{escape(tag)}`" for tag in card.tags) if card.tags else ""
    lines = [f"*{escape(card.name)}*  `#{card.id}`{tags}"]
    if card.description:
        lines.append(f"_{escape(clip(' '.join(card.description.split()), 200))}_")
    covers = f" · covers {escape(card.period)}" if card.period else ""
    lines += [f"🗓️ {escape(card.sentence)} → {escape(where)}{covers}",
              f"Status: {STATE_WORDS.get(card.status, card.status)} · Next run: {next_run}"]
    if card.alert_line:
        lines.append(card.alert_line)
    if card.last_status:
        last = f"Last result: {STATUS_ICONS.get(card.last_status, '•')} {card.last_status}"
        if card.last_at:
            last += f" {relative(card.last_at, data.now)}"
        if card.last_error and card.last_status in ("failed", "partial"):
            last += f" — {plain_error(card.last_error)}"
        lines.append(last)
    if data.scope == HomeScope.ALL:
        lines.append(f"Owner: <@{card.owner_user_id}>")
    value = str(card.id)
    toggle = (ScheduleActions.PAUSE, "Pause") if card.status == ScheduleStatus.ACTIVE else (ScheduleActions.RESUME,
                                                                                            "Resume")
    return [
        {"type": "section", "block_id": f"{HomeBlocks.SCHEDULE_PREFIX}{card.id}",
         "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]},
         "accessory": {"type": "overflow", "action_id": ScheduleActions.OVERFLOW, "options": [
             {"text": plain_text("History"), "value": f"{OverflowChoices.HISTORY}:{card.id}"},
             {"text": plain_text("Delete…"), "value": f"{OverflowChoices.DELETE}:{card.id}"},
         ]}},
        {"type": "actions", "block_id": f"{HomeBlocks.ACTIONS_PREFIX}{card.id}", "elements": [
            {"type": "button", "action_id": ScheduleActions.RUN_NOW, "text": plain_text("Run now"), "value": value,
             "style": "primary"},
            {"type": "button", "action_id": toggle[0], "text": plain_text(toggle[1]), "value": value},
            {"type": "button", "action_id": ScheduleActions.EDIT, "text": plain_text("Edit"), "value": value},
        ]},
        {"type": "divider"},
    ]


def _run_block(outcome: RunOutcome, when: dt.datetime, now: dt.datetime) -> dict:
    icon = STATUS_ICONS.get(outcome.status, "•")
    line = f"{icon} *{escape(outcome.name)}* — {outcome.status} {relative(when, now)} · {run_facts(outcome)}"
    lines = [line] + [f"      {detail}" for detail in outcome_lines(outcome, limit=5)]
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(lines))}}


def build_home_view(data: HomeData) -> dict:
    """Build the Home tab view from plain data."""
    everyone = data.scope == HomeScope.ALL
    title = "All scheduled reports in this workspace" if everyone else "Your scheduled reports"
    toolbar = [
        {"type": "button", "action_id": HomeActions.CREATE, "style": "primary", "text": plain_text("New report")},
        {"type": "button", "action_id": HomeActions.REFRESH, "text": plain_text("Refresh"), "value": str(data.page)},
    ]
    if data.is_admin:
        toolbar.append({"type": "button", "action_id": HomeActions.SCOPE,
                        "text": plain_text("Show only mine" if everyone else "Show all schedules (admin)"),
                        "value": HomeScope.MINE if everyone else HomeScope.ALL})
    blocks: list[dict] = [
        {"type": "header", "block_id": HomeBlocks.HEADER, "text": {"type": "plain_text", "text": title}},
        {"type": "actions", "block_id": HomeBlocks.TOOLBAR, "elements": toolbar},
    ]
    if not data.cards:
        empty = ("There are no scheduled reports in this workspace yet." if everyone else
                 "You have no scheduled reports yet. Click *New report*, or type "
                 "`/report new \"Daily sales\" every day at 9am in #sales`.")
        blocks.append({"type": "section", "block_id": HomeBlocks.SCHEDULES, "text": {"type": "mrkdwn", "text": empty}})
    for card in data.cards:
        blocks.extend(_card_blocks(card, data))
    pages = max(1, -(-data.total // PAGE_SIZE))
    if pages > 1:
        pager = []
        if data.page > 0:
            pager.append({"type": "button", "action_id": HomeActions.PAGE_PREV, "text": plain_text("← Previous"),
                          "value": str(data.page - 1)})
        if data.page + 1 < pages:
            pager.append({"type": "button", "action_id": HomeActions.PAGE_NEXT, "text": plain_text("Next →"),
                          "value": str(data.page + 1)})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Page {data.page + 1} of {pages} · {data.total} schedules")}]})
        blocks.append({"type": "actions", "block_id": HomeBlocks.PAGER, "elements": pager})
    blocks.append({"type": "header", "block_id": HomeBlocks.RUNS,
                   "text": {"type": "plain_text", "text": "Recent deliveries"}})
    if not data.runs:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "No runs yet."}})
    for outcome, when in data.runs[:MAX_RUNS]:
        blocks.append(_run_block(outcome, when, data.now))
    return {"type": "home", "blocks": blocks}
