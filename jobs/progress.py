"""Update "Generating Daily sales…" messages once their run settles, with links to the files.

Called from `jobs.settle.after_settle` (the worker) after every settled run. A progress message is
either a real message (chat.update) or an ephemeral one reachable through its response_url; when
neither can be updated any more (deleted, expired) the person gets the outcome in a DM instead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from jobs.alerts.progress import check_finished
from jobs.context import JobContext
from jobs.delivery.plan import safe_name
from jobs.manual_runs import PREVIEW_PREFIX, is_preview
from jobs.views.progress import progress_finished
from jobs.views.run_message import DestinationResult, FileLink, RunOutcome
from storage import alerts as alert_repo
from storage.models import AlertEvaluation, Run, Schedule, ScheduleStatus
from storage.progress import claim_settled, forget_response_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkBase:
    """What a file permalink is built from: the workspace URL and the bot user who uploaded it."""

    team_url: str
    bot_user_id: str

    def file_url(self, file_id: str, filename: str) -> str:
        return f"{self.team_url}files/{self.bot_user_id}/{file_id}/{filename}"


_link_bases: dict[tuple[str, str | None], LinkBase] = {}
_link_lock = threading.Lock()


def link_base(client: WebClient) -> LinkBase | None:
    """The workspace's link base from auth.test, asked once per token; None if Slack won't say."""
    key = (client.base_url, client.token)
    with _link_lock:
        if key in _link_bases:
            return _link_bases[key]
    try:
        identity = client.auth_test()
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.info("auth.test failed, file links left out: %s", exc)
        return None
    base = LinkBase(identity.get("url") or "https://slack.com/", identity.get("user_id") or "")
    with _link_lock:
        _link_bases[key] = base
    return base


def outcome_of(run: Run, schedule: Schedule, links: LinkBase | None) -> RunOutcome:
    """Copy what people are told about a run out of its rows (loaded deliveries and artifacts)."""
    labels = {d.key: d.label or d.target for d in schedule.destinations}
    artifacts = sorted(run.artifacts, key=lambda a: a.id)
    results = []
    for delivery in run.deliveries:
        # a destination since removed is named from its key (a webhook by its host, never its URL)
        key = delivery.destination
        shown = labels.get(key) or (safe_name(key) if key.startswith("webhook:") else key)
        results.append(DestinationResult(shown, delivery.status,
                                         delivery.last_error, _files(artifacts, delivery.slack_file_ids, links)))
    # The run's files once: linked from the first Slack message that carries them, else just named.
    linked = next((r.files for r in results if r.files), ())
    files = linked or tuple(FileLink(a.filename, None, _file_label(a)) for a in artifacts)
    error = run.error
    for key, label in labels.items():
        error = error.replace(key, label) if error else error
    summary = run.summary or {}
    return RunOutcome(
        run_id=run.id, schedule_id=schedule.id, name=_display_name(schedule), status=run.status,
        row_count=run.row_count, error=error, window_label=summary.get("window_label"),
        destinations=tuple(results), is_preview=is_preview(schedule),
        schedule_paused=schedule.status == ScheduleStatus.ERROR, trigger=run.trigger, triggered_by=run.triggered_by,
        duration_ms=run.duration_ms, total_bytes=sum(a.size for a in artifacts) if artifacts else None, files=files,
        period=summary.get("period"), slot=run.scheduled_for,
    )


def _files(artifacts: list, file_ids: list[str] | None, links: LinkBase | None) -> tuple[FileLink, ...]:
    """A Slack message's files (in upload order, the artifacts' order), linked when the workspace URL is known."""
    files = []
    for i, file_id in enumerate(file_ids or []):
        artifact = artifacts[i] if i < len(artifacts) else None
        name = artifact.filename if artifact else f"file {i + 1}"
        files.append(FileLink(name, links.file_url(file_id, name if artifact else file_id) if links else None,
                              _file_label(artifact) if artifact else name))
    return tuple(files)


def _file_label(artifact) -> str:
    """"CSV", "XLSX", "Raw CSV": what a file is, shorter than its name."""
    return "Raw CSV" if artifact.format == "csv_raw" else artifact.format.upper()


def _display_name(schedule: Schedule) -> str:
    return schedule.name[len(PREVIEW_PREFIX):] if is_preview(schedule) else schedule.name


@dataclass(frozen=True)
class _Pending:
    message_id: int
    user_id: str
    channel_id: str | None
    message_ts: str | None
    response_url: str | None
    run: Run
    schedule: Schedule
    check: AlertEvaluation | None = None  # a check of an alert: its reply says the value and state


def settle_progress(ctx: JobContext, team_id: str) -> int:
    """Update every progress message of the workspace whose run has settled; return how many."""
    with ctx.database.session() as session:
        claimed = claim_settled(session, team_id, ctx.now())
        pending = []
        for message in claimed:
            run = session.get(Run, message.run_id)
            schedule = session.get(Schedule, run.schedule_id)
            check = alert_repo.evaluation_for_run(session, run.id) if schedule.condition is not None else None
            pending.append(_Pending(message.id, message.user_id, message.channel_id, message.message_ts,
                                    message.response_url, run, schedule, check))
            if message.response_url:
                forget_response_url(session, message.id)
    if not pending:
        return 0
    client = ctx.slack(team_id)
    links = link_base(client)
    for item in pending:
        outcome = outcome_of(item.run, item.schedule, links)
        text, blocks = check_finished(outcome, item.check) or progress_finished(outcome)
        if not _update(client, item, text, blocks):
            _direct_message(client, item.user_id, text, blocks)
    return len(pending)


def _update(client: WebClient, item: _Pending, text: str, blocks: list[dict]) -> bool:
    try:
        if item.channel_id and item.message_ts:
            client.chat_update(channel=item.channel_id, ts=item.message_ts, text=text, blocks=blocks)
            return True
        if item.response_url:
            response = WebhookClient(item.response_url, timeout=10).send(
                text=text, blocks=blocks, replace_original=True, response_type="ephemeral")
            return response.status_code == 200
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.info("could not update progress message %s: %s", item.message_id, exc)
    return False


def _direct_message(client: WebClient, user_id: str, text: str, blocks: list[dict]) -> None:
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except (SlackApiError, SlackClientError, OSError) as exc:
        log.warning("could not tell %s how their run ended: %s", user_id, exc)
