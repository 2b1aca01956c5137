"""Deliver a generated run: one delivery row per destination, each sent at most once.

Slack channels and users get one message with the summary, all of the run's files shared in one
`files.completeUploadExternal` call (DMs through `conversations.open`) and the buttons; email addresses get a
message of their own (jobs.delivery.mail). Each destination is retried on its own with backoff;
a Slack destination that fails for good is replaced by an email to the schedule's owner.

At most once, and what is left of the gap. Before calling Slack or SMTP the delivery is marked
`sending` (in the one statement that also checks this worker still holds the run), and the
answer is recorded right after. A worker that finds `sending` (its predecessor died in between, or
Slack answered 5xx to the posting call) looks for the message's marker block in the conversation's
history before posting again, and does not post when it cannot tell (no history access): that
delivery fails as "unconfirmed" and the owner is told. What remains:
- Slack: a worker frozen (not dead) for longer than its lease between marking and posting, while
  another worker checked the history and posted: both posts arrive. The lease is renewed every
  third of RUN_LEASE_SECONDS, so this needs a freeze of that length inside a few milliseconds.
- Webhooks are at least once instead: a `sending` webhook is sent again with the same
  Reportbot-Delivery id, which receivers use to drop the duplicate.
- SMTP has no history to look in: a `sending` email is not sent again but fails as "unconfirmed"
  (the owner is told and can press Retry), so an email the server accepted just before the worker
  died is never duplicated, and one it did not accept waits for a person's Retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field

from jobs.alerts.messages import notification_blocks
from jobs.context import JobContext
from jobs.delivery import mail, policy
from jobs.delivery import slack as slack_send
from jobs.delivery import webhook as webhook_send
from jobs.delivery.addresses import domain_allowed, valid_address
from jobs.delivery.explain import for_destination
from jobs.delivery.fallback import owner_email, refresh_owner_email
from jobs.delivery.plan import (
    EMAIL,
    SLACK_KINDS,
    WEBHOOK,
    ArtifactInfo,
    DeliveryInfo,
    RunPlan,
    delivery_info,
    load_plan,
)
from jobs.delivery.smtp import Mailer
from jobs.lease import LeaseClaim, LeaseKeeper
from jobs.settle import after_settle, settle_run
from jobs.views.run_message import report_message_blocks
from storage import deliveries as delivery_repo
from storage import runs as run_repo
from storage.db import database_unreachable
from storage.errors import SettingsError
from storage.filestore import ArtifactMissing, FileStoreError, StoreUnavailable
from storage.models import Delivery, DeliveryStatus, DestinationKind, Run, RunStatus

log = logging.getLogger(__name__)


class TransientDeliveryError(Exception):
    """Some destinations failed in a way worth retrying; `retry_in_ms` says when the next one is due."""

    def __init__(self, message: str, retry_in_ms: int = 0) -> None:
        super().__init__(message)
        self.retry_in_ms = retry_in_ms


class _LeaseLost(Exception):
    """Another worker took the run over; this one must stop sending."""


@dataclass
class _Pass:
    ctx: JobContext
    plan: RunPlan
    token: str
    now: dt.datetime
    mailer: Mailer
    _files: dict[int, bytes] | None = None
    marked: set[int] = field(default_factory=set)  # deliveries this pass marked `sending`

    def read(self, artifact: ArtifactInfo) -> bytes:
        """The file in memory, read once per pass: only email uses it, below EMAIL_MAX_MB."""
        if self._files is None:
            self._files = {}
        if artifact.id not in self._files:
            self._files[artifact.id] = self.ctx.artifacts.read_bytes(artifact.storage_key)
        return self._files[artifact.id]


def deliver(ctx: JobContext, run_id: int, *, only_due: bool = False, claim: LeaseClaim | None = None) -> str:
    """Send `run_id` to every destination not yet sent; return the run's resulting status.

    The actor passes `only_due=True` so backoff is honoured; a direct call (the Retry button,
    tests) tries every destination still open at once. Raises TransientDeliveryError when some
    destinations are waiting for a retry. `claim` carries the lease token (and the token of an
    attempt a database outage cut off, to carry on from).
    """
    claim = claim or LeaseClaim()
    token = claim.token
    now = ctx.now()
    with ctx.database.session() as session:
        if not run_repo.take_lease(session, run_id, statuses=(RunStatus.DELIVERING,), to_status=RunStatus.DELIVERING,
                                   token=token, now=now, lease_for=dt.timedelta(seconds=ctx.settings.lease_seconds),
                                   resume=claim.resume):
            return "not-taken"
        plan = load_plan(session, session.get(Run, run_id), ctx.settings.policy)
    claim.taken = True
    try:
        with LeaseKeeper(ctx, run_id, token) as keeper, Mailer(ctx.email) as mailer:
            work = _Pass(ctx, plan, token, now, mailer)
            queue = [d for d in plan.deliveries if d.open and not (only_due and _waiting(d, now))]
            while queue:
                if keeper.lost:
                    raise _LeaseLost
                queue.extend(_deliver_one(work, queue.pop(0)))
    except _LeaseLost:
        log.warning("run %s: lease lost during delivery; the new holder carries on", run_id)
        return "lease-lost"
    if keeper.lost:
        return "lease-lost"
    return _finish(ctx, plan, token)


def _waiting(delivery: DeliveryInfo, now: dt.datetime) -> bool:
    return delivery.next_attempt_at is not None and delivery.next_attempt_at > now


def _deliver_one(work: _Pass, delivery: DeliveryInfo) -> list[DeliveryInfo]:
    """Attempt one delivery and record the outcome; return fallback deliveries it gave rise to."""
    try:
        outcome, marked = _attempt(work, delivery)
    except _LeaseLost:
        raise
    except Exception as exc:
        if database_unreachable(exc):  # nothing can be recorded now: the actor retries the pass
            raise
        outcome, marked = _unexpected(work, delivery, exc)
    return _record(work, delivery, outcome, marked)


def _attempt(work: _Pass, delivery: DeliveryInfo) -> tuple[policy.SendOutcome, bool]:
    """Send to one destination; return the outcome and whether it was marked `sending` first."""
    plan, key = work.plan, delivery.key
    if key not in plan.configured and delivery.fallback_for is None:
        return policy.failed("destination_removed", "the destination was removed from the schedule before "
                                                    "the report was sent"), False
    if delivery.kind in SLACK_KINDS:
        return _to_slack(work, delivery)
    if delivery.kind == EMAIL:
        return _to_email(work, delivery)
    if delivery.kind == WEBHOOK:
        return webhook_send.send(work.ctx, work.plan, delivery, lambda: _mark_sending(work, delivery))
    return policy.failed("unknown_destination", f"“{delivery.kind}” is not a kind of destination "
                                                f"reportbot can deliver to"), False


def _unexpected(work: _Pass, delivery: DeliveryInfo, exc: Exception) -> tuple[policy.SendOutcome, bool]:
    """Any other error (a bug, files gone from the store): retried like a temporary failure, so the
    destination and the run stay consistent and the attempt limit ends it if it keeps happening.
    A delivery left `sending` stays so (the next attempt looks before posting)."""
    error_id = uuid.uuid4().hex[:8]
    log.error("delivery %s: unexpected %s (error id %s)", delivery.id, type(exc).__name__, error_id, exc_info=exc)
    return policy.retry("unexpected_error", f"something went wrong on our side while sending (error id {error_id})",
                        maybe_sent=True), delivery.id in work.marked


def _to_slack(work: _Pass, delivery: DeliveryInfo) -> tuple[policy.SendOutcome, bool]:
    try:
        client = work.ctx.slack(work.plan.team_id)
    except SettingsError as exc:  # no token for this workspace (never installed, or uninstalled)
        return policy.failed("not_installed", str(exc), fallback=True), False
    channel_id = delivery.channel_id
    if delivery.status == DeliveryStatus.SENDING and channel_id:
        found = slack_send.find_evidence(client, channel_id, delivery.id, delivery.sending_at or work.now)
        if found == slack_send.UNKNOWN:
            return policy.failed("unconfirmed", "an earlier attempt was interrupted and Slack could not confirm "
                                                "whether the report arrived, so it was not sent again; check the "
                                                "conversation and press Retry if it is missing"), False
        if found is not None:
            log.info("delivery %s: found the interrupted attempt's message in %s; not sending again",
                     delivery.id, channel_id)
            return policy.SendOutcome("sent", channel_id=channel_id, message_ts=found, code="history"), False
    if not channel_id:
        channel_id, failure = slack_send.resolve_channel(client, delivery.kind, delivery.target)
        if failure is not None:
            return failure, False
    # Someone who gets another person's report by DM can stop it from the message itself.
    mutable = delivery.kind == DestinationKind.SLACK_USER and delivery.target != work.plan.owner_user_id
    blocks = notification_blocks(work.plan.schedule_id, work.plan.name, work.plan.summary) \
        or report_message_blocks(work.plan.schedule_id, work.plan.text, mutable=mutable,
                                 summary=work.plan.summary)  # an alert's own, or the report's
    blocks = slack_send.with_marker(blocks, delivery.id)
    with ExitStack() as opened:
        try:  # paths, not bytes: the store's own file, or a temporary copy when it is in S3 or encrypted
            files = [slack_send.SlackFile(a.filename, a.filename,
                                          opened.enter_context(work.ctx.artifacts.local_file(a.storage_key)))
                     for a in work.plan.artifacts]
        except FileStoreError as exc:
            return _unreadable(work, exc), False
        _mark_sending(work, delivery, channel_id=channel_id)
        return slack_send.post_report(client, channel_id, text=work.plan.text, blocks=blocks, files=files), True


def _to_email(work: _Pass, delivery: DeliveryInfo) -> tuple[policy.SendOutcome, bool]:
    ctx, address = work.ctx, delivery.target
    if not valid_address(address):
        return policy.failed("invalid_address", f"“{address[:100]}” is not a valid email address"), False
    if not ctx.email.enabled:
        return policy.failed("email_not_configured", "email is not set up on this server (SMTP_HOST)"), False
    if delivery.fallback_for is None and not domain_allowed(address, work.plan.email_domains):
        return policy.failed("domain_not_allowed", f"{address.rpartition('@')[2]} is not on this workspace's list "
                                                   f"of domains reports may be emailed to"), False
    if delivery.status == DeliveryStatus.SENDING:
        # The server may have accepted it before the worker died, and SMTP has no history to look
        # in: sending again could deliver twice, so say so instead (Retry sends it deliberately).
        return policy.failed("unconfirmed", "an earlier attempt was interrupted and the mail server cannot be asked "
                                            "whether it arrived, so it was not sent again; press Retry if it is "
                                            "missing"), False
    notice = None
    if delivery.fallback_for is not None:
        notice = (f"This report could not be posted to {work.plan.label(delivery.fallback_for)} in Slack, "
                  f"so here it is by email instead.")
    try:
        message = mail.build(ctx, work.plan, delivery, work.read, notice=notice, now=work.now)
    except FileStoreError as exc:
        return _unreadable(work, exc), False
    except (ValueError, TypeError) as exc:  # something in the schedule cannot go into an email header
        log.warning("delivery %s: could not compose the email: %s", delivery.id, type(exc).__name__)
        return policy.failed("compose_failed", "the email could not be put together from this schedule's "
                                               "settings"), False
    if isinstance(message, policy.SendOutcome):
        return message, False
    _mark_sending(work, delivery, message_id=message["Message-ID"])
    return work.mailer.send(message, address), True


def _unreadable(work: _Pass, exc: FileStoreError) -> policy.SendOutcome:
    """Say why the run's files could not be read (details, never secrets, go to the log)."""
    log.warning("run %s: could not read its files: %s", work.plan.run_id, exc)
    if isinstance(exc, StoreUnavailable):
        return policy.retry("store_unavailable", "the report's files could not be fetched from the file store")
    if isinstance(exc, ArtifactMissing):
        return policy.failed("file_missing", "the report's files are no longer kept (they are removed after "
                                             "ARTIFACT_RETENTION_DAYS); run the report again")
    return policy.failed("file_unreadable", "the report's files could not be read back (altered, or encrypted "
                                            "with a key this server does not have); the worker's log says which")


def _mark_sending(work: _Pass, delivery: DeliveryInfo, **fields) -> None:
    with work.ctx.database.session() as session:
        if not delivery_repo.mark_sending(session, delivery.id, run_id=work.plan.run_id, token=work.token,
                                     now=work.ctx.now(), **fields):
            raise _LeaseLost
    work.marked.add(delivery.id)


def _record(work: _Pass, delivery: DeliveryInfo, outcome: policy.SendOutcome, marked: bool) -> list[DeliveryInfo]:
    ctx, plan = work.ctx, work.plan
    now = ctx.now()
    label = plan.label(delivery.key)
    added: list[DeliveryInfo] = []
    with ctx.database.session() as session:
        row = session.get(Delivery, delivery.id)
        if not marked:
            row.attempts += 1
        if outcome.sent:
            row.status = DeliveryStatus.SENT
            row.sent_at = now
            row.last_error = None
            row.next_attempt_at = None
            row.confirmed_by = "history" if outcome.code == "history" else "response"
            row.channel_id = outcome.channel_id or row.channel_id
            row.slack_file_ids = outcome.file_ids or row.slack_file_ids
            row.message_ts = outcome.message_ts or row.message_ts
            row.smtp_message_id = outcome.message_id or row.smtp_message_id
            return added
        give_up = outcome.status == "retry" and row.attempts >= ctx.settings.delivery_max_attempts
        if outcome.status == "retry" and not give_up:
            # Possibly posted (now, or by an interrupted attempt before): look before posting again.
            maybe_posted = outcome.maybe_sent and (marked or row.status == DeliveryStatus.SENDING)
            row.status = DeliveryStatus.SENDING if maybe_posted else DeliveryStatus.PENDING
            delay = policy.backoff_seconds(row.attempts, base=ctx.settings.delivery_backoff_base,
                                           cap=ctx.settings.delivery_backoff_cap, retry_after=outcome.retry_after)
            row.next_attempt_at = now + dt.timedelta(seconds=delay)
            row.last_error = outcome.error
            log.warning("delivery %s to %s will be retried in %.1fs: %s", delivery.id, delivery.log_name, delay,
                        outcome.code)
            return added
        row.status = DeliveryStatus.FAILED
        row.next_attempt_at = None
        row.last_error = outcome.error
        if give_up:
            row.last_error = f"gave up after {row.attempts} attempts: {outcome.error}"
            if outcome.maybe_sent and marked:
                where = "the webhook" if delivery.kind == WEBHOOK else "Slack"
                row.last_error += f" (the last attempt may still have reached {where})"
        log.warning("delivery %s to %s failed: %s", delivery.id, delivery.log_name, outcome.code)
    if delivery.kind in SLACK_KINDS and (outcome.fallback or give_up):
        added = _fallback(work, delivery, label)
    return added


def _fallback(work: _Pass, delivery: DeliveryInfo, label: str) -> list[DeliveryInfo]:
    """Email the owner the report a Slack destination could not get (once per run)."""
    ctx, plan = work.ctx, work.plan
    if not ctx.email.enabled:
        return []
    address = owner_email(ctx, plan.team_id, plan.owner_user_id)  # outside any open transaction
    if not address:
        log.info("run %s: no email address known for owner %s; no fallback", plan.run_id, plan.owner_user_id)
        plan.fallback_note = "no email copy was sent: the owner's email address is not known"
        return []
    with ctx.database.session() as session:
        row = delivery_repo.add_fallback_delivery(session, plan.run_id, f"{EMAIL}:{address}", fallback_for=delivery.key)
        if row is None:  # the owner already gets this run by email
            return []
        added = delivery_info(row)
    plan.labels[added.key] = f"{address} (email instead of {label})"
    return [added]


def _finish(ctx: JobContext, plan: RunPlan, token: str) -> str:
    """Settle the run, or hand it back to wait for the earliest retry."""
    now = ctx.now()
    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, plan.run_id, token)
        if run is None:
            return "lease-lost"
        open_ = [d for d in run.deliveries if d.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)]
        if open_:
            due = min((d.next_attempt_at or now) for d in open_)
            run.lease_token = None  # the retry's message takes it again
            run.attempt = 0  # this pass ended cleanly: only crashes count towards MAX_ATTEMPTS
            run.lease_until = max(due, now) + dt.timedelta(seconds=ctx.settings.dispatch_timeout)
            errors = "; ".join(for_destination(plan.label(d.destination), d.last_error)
                               for d in open_ if d.last_error)
            retry_in_ms = max(0, int((due - now).total_seconds() * 1000))
            pending_error = TransientDeliveryError(errors or "temporary delivery failure", retry_in_ms)
        else:
            pending_error = None
            final = _final_status(run.deliveries)
            settle_run(session, run, final, now=now, error=_run_error(plan, run.deliveries),
                       failures_before_pause=ctx.settings.failures_before_pause)
    if pending_error is not None:
        raise pending_error
    if final == RunStatus.DELIVERED:
        refresh_owner_email(ctx, plan.team_id, plan.owner_user_id)
    after_settle(ctx, plan.team_id, plan.owner_user_id, run_id=plan.run_id)
    return final


def _final_status(deliveries: list[Delivery]) -> str:
    sent = sum(d.status == DeliveryStatus.SENT for d in deliveries)
    if deliveries and sent == len(deliveries):
        return RunStatus.DELIVERED
    return RunStatus.PARTIAL if sent else RunStatus.FAILED


def _run_error(plan: RunPlan, deliveries: list[Delivery]) -> str | None:
    """Say what failed where, and where a fallback email went instead (or why none did)."""
    parts = []
    fallbacks = {d.fallback_for: d for d in deliveries if d.fallback_for}
    for delivery in deliveries:
        if delivery.status != DeliveryStatus.FAILED:
            continue
        text = for_destination(plan.label(delivery.destination), delivery.last_error or "not delivered")
        rescue = fallbacks.get(delivery.destination)
        if rescue is not None and rescue.status == DeliveryStatus.SENT:
            text += f" — emailed to {rescue.destination.partition(':')[2]} instead"
        parts.append(text)
    if plan.fallback_note and parts:
        parts.append(plan.fallback_note)
    if not deliveries:
        parts.append("the schedule has no destinations")
    return "; ".join(parts) or None
