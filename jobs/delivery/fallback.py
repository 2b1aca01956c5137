"""The owner's email address, for the fallback when Slack delivery fails for good.

Read live from users.info (needs the users:read.email scope) and remembered, because the failures
that matter most (invalid_auth, account_inactive) also stop users.info from answering.
"""

from __future__ import annotations

import datetime as dt
import logging

from jobs.context import JobContext
from jobs.email.compose import valid_address
from storage import email_prefs

log = logging.getLogger(__name__)

REFRESH_AFTER = dt.timedelta(days=7)


def owner_email(ctx: JobContext, team_id: str, user_id: str) -> str | None:
    """The owner's address: from Slack when it answers, else as last remembered."""
    try:
        email = _ask_slack(ctx, team_id, user_id)
    except Exception as exc:  # Slack refuses the app: fall back on what we knew
        log.info("users.info for %s failed (%s); using the remembered address", user_id, type(exc).__name__)
        with ctx.database.session() as session:
            contact = email_prefs.owner_contact(session, team_id, user_id)
            return contact.email if contact else None
    return email


def refresh_owner_email(ctx: JobContext, team_id: str, user_id: str) -> None:
    """Remember the owner's address ahead of need (weekly), while Slack still answers."""
    with ctx.database.session() as session:
        contact = email_prefs.owner_contact(session, team_id, user_id)
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
        email_prefs.save_owner_contact(session, team_id, user_id, email, now=ctx.now())
    return email
