"""Text of the bot's replies. Pure functions: plain data in, strings out."""

from __future__ import annotations

import datetime as dt

from bot.schedules import Created, format_local
from jobs.slots import compiled_cadence
from storage.models import Schedule

HELP = """*reportbot* schedules reports into channels and DMs. Commands:
• `/report new "Daily sales" every day at 9am in #sales` — create a schedule (add `as csv,xlsx,png,pdf` for formats)
• `/report list` — your schedules
• `/report run <name or number>` — run one now
• `/report pause <name>` / `/report resume <name>`
• `/report help` — this message
Cadence examples: `every weekday at 8:30`, `every monday at 9am`, `0 9 * * 1-5` (cron)."""


def created(result: Created) -> str:
    runs = "\n".join(f"• {format_local(when, result.timezone)}" for when in result.next_runs) or "• none (it never fires)"
    return (f"✅ Scheduled *{result.name}* (#{result.schedule_id}): {result.sentence} → {', '.join(result.destinations)}.\n"
            f"Next runs ({result.timezone}):\n{runs}")


def schedule_list(schedules: list[Schedule], now: dt.datetime) -> str:
    if not schedules:
        return "You have no scheduled reports. Create one with `/report new \"Daily sales\" every day at 9am in #sales`."
    lines = ["*Your scheduled reports*"]
    for schedule in schedules:
        try:
            sentence = compiled_cadence(schedule.cadence).describe()
        except Exception:
            sentence = schedule.cadence_text
        where = ", ".join(d.label or d.target for d in schedule.destinations)
        if schedule.status == "active" and schedule.next_run_at:
            state = f"next {format_local(schedule.next_run_at, schedule.timezone)}"
        else:
            state = schedule.status
        lines.append(f"• `#{schedule.id}` *{schedule.name}* — {sentence} → {where} ({state})")
    return "\n".join(lines)[:3900]


def unknown_subcommand(word: str) -> str:
    return f"I don't know `/report {word[:40]}`. Try `/report help` to see what I can do."
