"""users.info, users.list and users.lookupByEmail."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, method, paginate

logger = logging.getLogger(__name__)


def _render(ctx: Context, user) -> dict[str, Any]:
    # Slack hides profile.email unless the token carries users:read.email.
    return user.to_api(include_email=ctx.has_scope("users:read.email"))


@method("users.info")
def info(ctx: Context) -> dict[str, Any]:
    """Describe one user, including tz, tz_label and tz_offset."""
    user = ctx.team.users.get(str(ctx.arg("user")))
    if user is None:
        raise SlackError("user_not_found")
    rendered = user.to_api(include_email=ctx.has_scope("users:read.email"),
                           include_locale=str(ctx.arg("include_locale")).lower() in ("true", "1"))
    return {"user": rendered}


@method("users.list")
def list_users(ctx: Context) -> dict[str, Any]:
    """List the team's users (bot included), paged when a limit is given."""
    users = sorted(ctx.team.users.values(), key=lambda u: u.id)
    page, cursor = paginate(users, ctx.params, "users", default_limit=0, max_limit=1000,
                            limit_error="invalid_arguments")
    return {"members": [_render(ctx, u) for u in page], "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": cursor}}


@method("users.lookupByEmail")
def lookup_by_email(ctx: Context) -> dict[str, Any]:
    """Find a user by email address."""
    user = ctx.ws.find_user_by_email(ctx.team, str(ctx.arg("email")))
    if user is None:
        raise SlackError("users_not_found")
    rendered = user.to_api(include_email=ctx.has_scope("users:read.email"),
                           include_locale=str(ctx.arg("include_locale")).lower() in ("true", "1"))
    return {"user": rendered}
