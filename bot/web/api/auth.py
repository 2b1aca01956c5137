"""Who is calling: the bearer token (checked before any body is read) and its scopes (the per-token
rate limit is bot.web.api.rate_limit)."""

from __future__ import annotations

import logging

from bot.web.api.problems import ApiProblem
from bot.web.api.routes import Caller
from bot.web.client_address import client_address
from storage.errors import SettingsError
from storage.tokens import token_row

log = logging.getLogger(__name__)


def bearer(environ) -> str:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def authenticate(environ, deps) -> Caller:
    """The caller of a live token, or 401 (the same answer for a missing, wrong or revoked token)."""
    ip = client_address(environ, deps.settings.trusted_proxies)
    token = bearer(environ)
    with deps.jobs.database.session() as session:
        row = token_row(session, token, deps.jobs.now()) if token else None
        caller = None if row is None else Caller(row.id, row.team_id, row.scope_set, row.acting_user_id, ip)
    if caller is None:
        log.info("API: refused a request without a valid token from %s", ip)
        raise ApiProblem(401, "Send a live API token as `Authorization: Bearer rbt_…` (`reportbot token create`).",
                         headers=(("WWW-Authenticate", 'Bearer realm="reportbot"'),))
    try:  # the same question every Slack request and background job asks about its workspace
        deps.jobs.slack(caller.team_id)
    except SettingsError:
        log.info("API: refused token %s of workspace %s, which is not served", caller.token_id, caller.team_id)
        raise ApiProblem(403, "This token's workspace is no longer served here (the app was uninstalled, or the "
                              "workspace is not among those allowed).") from None
    return caller


def require_scope(caller: Caller, scope: str) -> None:
    if scope not in caller.scopes:
        raise ApiProblem(403, f"This token lacks the `{scope}` scope (it has: {', '.join(sorted(caller.scopes))}). "
                              f"Ask an admin for a token with it.")
