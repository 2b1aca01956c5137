"""Send a run to a webhook: signed JSON over HTTPS, through the SSRF guard, and what the answer means.

    POST <url>
    Content-Type: application/json
    User-Agent: reportbot
    Reportbot-Delivery: <delivery id>          the same on every retry: receivers drop duplicates
    Reportbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

    {"event": "report.delivered" | "alert.fired" | "alert.resolved", "delivery_id": …,
     "schedule": {id, name}, "run": {id, slot, status, trigger, rows}, "period": {start, end, words},
     "key_figures": [{label, value, text, change_pct}], "files": [{name, format, content_type, size, url?}],
     "alert": {…} (alerts only)}

Answers: 2xx sent; 408, 429, 5xx, timeouts and connection errors are temporary (retried with the
usual backoff, Retry-After honoured and capped); a 3xx is refused (redirects are not followed) and
any other 4xx is permanent. A webhook found `sending` (an attempt was interrupted) is sent again
with the same Reportbot-Delivery id: at least once, duplicates recognisable.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import ssl
from http import HTTPStatus

from jobs import links
from jobs.access import ensure_may_call_webhook
from jobs.alerts.notice import is_alert_summary
from jobs.context import JobContext
from jobs.delivery import policy
from jobs.delivery.outbound import UnresolvedHost, WebhookUrl, post
from jobs.delivery.plan import DeliveryInfo, RunPlan
from jobs.delivery.signing import HEADER, signature
from reports.summary import MAX_FIGURES, key_figures
from storage.errors import UserError
from storage.filestore import UnreadableArtifact
from storage.sealed import unseal

log = logging.getLogger(__name__)

USER_AGENT = "reportbot"
RESOLVED_NOTICES = ("resolved", "recovered")
ALERT_FIELDS = ("notice", "state", "since", "rule", "measure", "threshold", "value", "value_text", "change",
                "change_pct", "rows", "detail")


def event_of(summary: dict) -> str:
    if not is_alert_summary(summary):
        return "report.delivered"
    return "alert.resolved" if summary["alert"].get("notice") in RESOLVED_NOTICES else "alert.fired"


def payload(ctx: JobContext, plan: RunPlan, delivery: DeliveryInfo, now: dt.datetime) -> dict:
    """What the receiver gets: the schedule, the run, its period, key figures and signed file links."""
    summary = plan.summary
    raw = {item.get("label"): item.get("value") for item in summary.get("figures") or [] if isinstance(item, dict)}
    figures = [{"label": f.label, "value": _number(raw.get(f.label)), "text": f.value, "change_pct": f.change_pct}
               for f in key_figures(summary, limit=MAX_FIGURES)]
    retention = dt.timedelta(days=ctx.settings.artifact_retention_days)
    files = []
    for artifact in plan.artifacts:
        entry = {"name": artifact.filename, "format": artifact.format, "content_type": artifact.content_type,
                 "size": artifact.size}
        if ctx.links.enabled:
            entry["url"], until = links.artifact_link(ctx.links, artifact_id=artifact.id, delivery_id=delivery.id,
                                                      created_at=artifact.created_at, retention=retention, now=now)
            entry["expires"] = until.isoformat()
        files.append(entry)
    body = {
        "event": event_of(summary),
        "delivery_id": delivery.id,
        "schedule": {"id": plan.schedule_id, "name": plan.name},
        "run": {"id": plan.run_id, "slot": plan.slot.isoformat(), "status": "generated", "trigger": plan.trigger,
                "rows": summary.get("row_count")},
        "period": {"start": summary.get("window_start"), "end": summary.get("window_end"),
                   "words": summary.get("period") or summary.get("window_label")},
        "key_figures": figures,
        "files": files,
    }
    if is_alert_summary(summary):
        body["alert"] = {k: summary["alert"].get(k) for k in ALERT_FIELDS}
    return body


def _number(value: object) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if value == value and abs(value) != float("inf") else None  # JSON has no NaN or infinity


def send(ctx: JobContext, plan: RunPlan, delivery: DeliveryInfo, mark_sending) -> tuple[policy.SendOutcome, bool]:
    """Check the URL again (allow-list, addresses), sign and POST; `mark_sending` is called just before
    the request goes out. Return the outcome and whether it was marked."""
    try:
        target, address = ensure_may_call_webhook(plan.policy, delivery.target, ctx.webhooks.resolve)
    except UnresolvedHost as exc:
        return policy.retry("webhook_dns", str(exc)), False
    except UserError as exc:  # no longer allowed (the admins changed the list), or a private address now
        return policy.failed("webhook_refused", str(exc)), False
    sealed = plan.secrets.get(delivery.key)
    try:
        secret = unseal(ctx.artifacts.keyring, sealed, what=f"the signing secret of the webhook at {target.host}") \
            if sealed else None
    except UnreadableArtifact as exc:
        log.warning("delivery %s: %s", delivery.id, exc)
        secret = None
    if secret is None:
        return policy.failed("webhook_secret_unreadable", f"the signing secret of the webhook at {target.host} "
                                                          "cannot be read on this server (ARTIFACT_ENCRYPTION_KEYS); "
                                                          "remove the webhook and add it again"), False
    now = ctx.now()
    body = json.dumps(payload(ctx, plan, delivery, now), ensure_ascii=True, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "Reportbot-Delivery": str(delivery.id),
               HEADER: signature(secret, int(now.timestamp()), body)}
    mark_sending()
    try:
        answer = post(target, address, body, headers, ctx.webhooks)
    except ssl.SSLCertVerificationError as exc:
        return policy.failed("webhook_tls", f"the webhook at {target.host} has a certificate that cannot be trusted "
                                            f"({exc.verify_message or 'verification failed'})"), True
    except TimeoutError:
        return policy.retry("webhook_timeout", f"the webhook at {target.host} did not answer within "
                                               f"{ctx.webhooks.timeout:g} s", maybe_sent=True), True
    except (OSError, http.client.HTTPException) as exc:
        return policy.retry("webhook_unreachable", f"the webhook at {target.host} could not be reached "
                                                   f"({_why(exc)})", maybe_sent=True), True
    return outcome_of(target, answer.status, answer.headers), True


def outcome_of(target: WebhookUrl, status: int, headers: dict[str, str]) -> policy.SendOutcome:
    """What an HTTP answer means for this delivery, in words the owner can act on."""
    said = f"the webhook at {target.host} answered {status} {_phrase(status)}".rstrip()
    if 200 <= status < 300:
        return policy.sent(code=f"http_{status}")
    if 300 <= status < 400:
        return policy.failed(f"http_{status}", f"{said}; redirects are not followed, so give the webhook's "
                                               f"final URL")
    if status in (408, 429) or status >= 500:
        return policy.retry(f"http_{status}", said, retry_after=policy.retry_after_seconds(headers.get("retry-after")),
                            maybe_sent=status >= 500)
    return policy.failed(f"http_{status}", said)


def _phrase(status: int) -> str:
    """The standard phrase for a status (a receiver's own reason line is its text, not ours to repeat)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _why(exc: Exception) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or type(exc).__name__}"
    if isinstance(exc, http.client.HTTPException):
        return "it did not answer in HTTP"
    return (getattr(exc, "strerror", None) or type(exc).__name__)[:100]
