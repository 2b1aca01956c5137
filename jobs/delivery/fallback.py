"""The owner's email address, for the fallback when Slack delivery fails for good.

Read live from users.info (needs the users:read.email scope) and remembered, because the failures
that matter most (invalid_auth, account_inactive) also stop users.info from answering.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from slack_sdk.errors import SlackClientError

from jobs.context import JobContext
from jobs.delivery.addresses import valid_address
from jobs.delivery.slack import classify
from storage import email as email_repo

log = logging.getLogger(__name__)

REFRESH_AFTER = dt.timedelta(days=7)


def owner_email(ctx: JobContext, team_id: str, user_id: str, *, tries: int = 3) -> str | None:
    """The owner's address: from Slack when it answers, else as last remembered.

    A busy Slack (429, 5xx) is asked again a few times, since this is the last way the report
    reaches anyone; a Slack that refuses the app (invalid_auth…) is not.
    """
    for attempt in range(tries):
        try:
            return _ask_slack(ctx, team_id, user_id)
        except Exception as exc:
            outcome = classify(exc, posting=False) if isinstance(exc, (SlackClientError, OSError)) else None
            if outcome is not None and outcome.status == "retry" and attempt + 1 < tries:
                time.sleep(min(5.0, max(outcome.retry_after or 0, 0.5 * 2 ** attempt)))
                continue
            log.info("users.info for %s failed (%s); using the remembered address", user_id, type(exc).__name__)
            break
    with ctx.database.session() as session:
        contact = email_repo.owner_contact(session, team_id, user_id)
        return contact.email if contact else None


def refresh_owner_email(ctx: JobContext, team_id: str, user_id: str) -> None:
    """Remember the owner's address ahead of need (weekly), while Slack still answers."""
    with ctx.database.session() as session:
        contact = email_repo.owner_contact(session, team_id, user_id)
        if contact is not None and ctx.now() - contact.checked_at < REFRESH_AFTER:
            return
    try:
        _ask_slack(ctx, team_id, user_id)
    except Exception as exc:  # best effort: the next delivery asks again
        log.info("could not refresh the email address of %s: %s", user_id, type(exc).__name__)


def _ask_slack(ctx: JobContext, team_id: str, user_id: str) -> str | None:
    user = ctx.slack(team_id).users_info(user=user_id).get("user") or {}
    email = (user.get("profile") or {}).get("email") or None
    if email is not None and not valid_address(email):
        email = None
    with ctx.database.session() as session:
        email_repo.save_owner_contact(session, team_id, user_id, email, now=ctx.now())
    return email
