"""Run now, retry and preview from Slack: answer at once ("Generating Daily sales…") where the
person asked, and leave that message to be updated by the worker when the run settles."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.acting import Need, acting_on
from bot.alert_condition import check_form_condition, readback_text
from bot.deps import BotDeps
from bot.forms import ScheduleForm
from bot.people import person
from bot.respond import Where, answer, direct_message
from bot.validation import clean_name, condition_words, validate_for_preview
from jobs.manual_runs import (
    AlreadyRunning,
    CoolingDown,
    PreviewRequest,
    ProgressTarget,
    RunStarted,
    TooManyPreviews,
    manual_covers,
    preview_refusal,
    run_now,
    start_preview,
    start_refusal,
)
from jobs.periods import Period
from jobs.progress import settle_progress
from jobs.retry import RetryRefused, retry_run
from jobs.views.blocks import escape
from jobs.views.progress import progress_started_blocks, progress_started_text
from storage.errors import BadInput
from storage.models import RunTrigger, Schedule
from storage.progress import track_run

log = logging.getLogger(__name__)


def _busy_or_cooling(deps: BotDeps, schedule: Schedule, cooldown: int) -> str | None:
    """Why a run cannot start now, checked before anything is announced."""
    with deps.jobs.database.session() as session:
        refused = start_refusal(session, schedule.id, cooldown_seconds=cooldown, now=deps.jobs.now())
    return _refusal_text(schedule.name, refused) if refused is not None else None


def _refusal_text(name: str, refused: AlreadyRunning | CoolingDown | TooManyPreviews, *,
                  preview: bool = False) -> str:
    """Why nothing was started, in words (checked before announcing, and again when starting)."""
    name = escape(name)
    if isinstance(refused, TooManyPreviews):
        return (f"You have asked for {refused.per_hour} previews in the last hour, the most I make per person. "
                "Save the schedule and use Run now, or try again later.")
    if isinstance(refused, AlreadyRunning):
        if preview:
            return "Your last preview is still being made; it will arrive in our DM in a moment."
        return (f"“{name}” is already running (run {refused.run_id}, {refused.status}); it will be posted "
                "to its destinations when it's done.")
    return _cooling_text(name, refused.seconds_left, preview=preview)


def _cooling_text(name: str, seconds: int, *, preview: bool = False) -> str:
    wait = f"{seconds} s" if seconds < 120 else f"{-(-seconds // 60)} min"
    if preview:
        return f"Your last preview was made a moment ago. You can ask for another in {wait}."
    return f"“{name}” was run by hand a moment ago. You can run it again in {wait}."


def announce(client: WebClient, where: Where, text: str, blocks: list[dict]) -> ProgressTarget | None:
    """Post "Generating…" where it can be updated later: the reply to a slash command, the clicked
    ephemeral or DM message, or else a DM (with a short note where the person clicked)."""
    if where.surface == "slash_command" or where.replaceable or (where.surface == "chat" and where.is_dm):
        target = answer(client, where, text, blocks, replace_clicked=True)
        if target is not None:
            return target
    if where.channel_id and not where.is_dm:
        answer(client, where, f"{text.splitlines()[0]} I'll keep you posted in our DM.")
    return direct_message(client, where.user_id, text, blocks)


def update_announcement(client: WebClient, target: ProgressTarget | None, text: str) -> None:
    """Replace a "Generating…" message that turned out not to start a run."""
    if target is None:
        return
    try:
        if target.channel_id and target.message_ts:
            client.chat_update(channel=target.channel_id, ts=target.message_ts, text=text, blocks=[])
        elif target.response_url:
            WebhookClient(target.response_url, timeout=10).send(text=text, replace_original=True,
                                                                response_type="ephemeral")
    except (SlackApiError, OSError) as exc:
        log.info("could not correct the announcement: %s", exc)


def run_schedule(deps: BotDeps, client: WebClient, where: Where, schedule: Schedule | int, *,
                 trigger: str = RunTrigger.MANUAL, period: Period | None = None) -> str | None:
    """Start a run of the schedule for the person at `where`, if they may run it, covering `period`
    (by default the period of the schedule's most recent slot).

    Returns a message to show when nothing was started (the caller answers with it), or None when
    the "Generating…" announcement (which says the period, and how to ask for another) was posted
    and the run queued.
    """
    acting = acting_on(deps, client, where, schedule, Need.RUN)
    schedule = acting.schedule
    cooldown = 0 if acting.person.is_admin else deps.policy(where.team_id).run_now_cooldown_seconds
    refusal = _busy_or_cooling(deps, schedule, cooldown)
    if refusal:
        return refusal
    alert = schedule.condition is not None
    said = {"covers": manual_covers(schedule, deps.jobs.now(), period, deps.policy(where.team_id).week_start),
            "other_period": "" if period or alert else f"/report run {schedule.name} for last month"}
    target = announce(client, where, progress_started_text(schedule.name, alert=alert, **said),
                      progress_started_blocks(schedule.name, alert=alert, **said))
    outcome = run_now(deps.jobs, schedule, user_id=where.user_id, surface=where.surface, enqueue=deps.enqueue,
                      trigger=trigger, progress=target, cooldown_seconds=cooldown, period=period)
    if isinstance(outcome, (AlreadyRunning, CoolingDown)):  # another request won the race since the check
        update_announcement(client, target, _refusal_text(schedule.name, outcome))
    return None


def retry(deps: BotDeps, client: WebClient, where: Where, schedule_id: int, run_id: int) -> str | None:
    """The Retry button of a failed run: that same run again (jobs.retry), with a progress message.

    Returns a message when nothing was retried, like `run_schedule`.
    """
    schedule = acting_on(deps, client, where, schedule_id, Need.RUN).schedule
    target = announce(client, where, f"🔁 Retrying *{escape(schedule.name)}* (run {run_id})…",
                      progress_started_blocks(schedule.name))
    outcome = retry_run(deps.jobs, schedule.id, run_id, user_id=where.user_id, surface=where.surface,
                        enqueue=deps.enqueue)
    if isinstance(outcome, RetryRefused):
        update_announcement(client, target, outcome.reason)
        return None
    if target is not None:
        with deps.jobs.database.session() as session:
            track_run(session, run_id=run_id, user_id=where.user_id, channel_id=target.channel_id,
                      message_ts=target.message_ts, response_url=target.response_url)
        settle_progress(deps.jobs, where.team_id)  # in case the retry already settled
    return None


def preview_form(deps: BotDeps, client: WebClient, *, team_id: str, user_id: str, form: ScheduleForm) -> str:
    """Generate the form's report now and DM it to the person; return the modal's status line.

    The same rules as run-now, counted per person: one preview in flight, the cool-down between two
    (admins are exempt), and at most REPORTBOT_PREVIEWS_PER_HOUR an hour.
    """
    now = deps.jobs.now()
    who = person(deps, client, team_id, user_id)
    report, params, formats, cadence = validate_for_preview(deps, client, person=who, form=form, now=now)
    policy = deps.policy(team_id)
    cooldown = 0 if who.is_admin else policy.run_now_cooldown_seconds
    with deps.jobs.database.session() as session:
        refused = preview_refusal(session, team_id, user_id, cooldown_seconds=cooldown,
                                  per_hour=policy.previews_per_hour, now=now)
    if refused is not None:
        return f"⚠️ {_refusal_text(form.name, refused, preview=True)}"
    # An alert's preview is a check: the notification if it would tell now, else the value in words.
    checked = check_form_condition(deps, client, who, form) if condition_words(form) else None
    name = clean_name(form.name)[:150] or report.title
    alert = checked is not None
    target = direct_message(client, user_id, progress_started_text(name, preview=True, alert=alert),
                            progress_started_blocks(name, preview=True, alert=alert))
    if target is None:
        raise BadInput("I couldn't open a DM with you to send the preview. Check that you can message reportbot.")
    outcome = start_preview(deps.jobs, PreviewRequest(team_id=team_id, user_id=user_id, name=name,
                                                      report_type=report.name, params=params, formats=formats,
                                                      cadence_text=cadence.text, cadence=cadence.to_json(),
                                                      timezone=cadence.timezone,
                                                      condition=checked.condition.to_json() if checked else None),
                            enqueue=deps.enqueue, progress=target, cooldown_seconds=cooldown,
                            per_hour=policy.previews_per_hour)
    if not isinstance(outcome, RunStarted):  # another click won the race since the check
        update_announcement(client, target, _refusal_text(name, outcome, preview=True))
        return f"⚠️ {_refusal_text(name, outcome, preview=True)}"
    started = f"⏳ Generating a preview of “{escape(name)}” — it will arrive in your DM with me in a moment."
    return f"{readback_text(checked)}\n{started}" if checked else started
