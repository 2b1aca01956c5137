"""Who may use a data source: one rule, called by pickers, the save-time check, every run and status.

An admin grants a source to Slack users (`allowed_users`) and workspaces (`allowed_teams`); `*` grants
everyone. Nothing granted means nobody. An omitted `allowed_teams` means "this workspace" on a
single-workspace install, where only one workspace can reach the app; on a multi-workspace (OAuth)
install any workspace can install the app, so there it means no workspace: each one must be listed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.sources.errors import AccessDenied

if TYPE_CHECKING:
    from reports.sources.config import DataSource

EVERYONE = "*"


def may_use_source(source: DataSource, team_id: str | None, user_id: str | None, *, multi_workspace: bool) -> bool:
    """True when this user, in this workspace, may read the source."""
    if not source.allowed_users and not source.allowed_teams:
        return False  # nobody was granted access: deny rather than guess
    if not source.allowed_teams and multi_workspace:
        return False  # another workspace installing the app is not a grant
    return _grants(source.allowed_users, user_id) and _grants(source.allowed_teams, team_id)


def check_source_access(source: DataSource, team_id: str | None, user_id: str | None, *,
                        multi_workspace: bool) -> None:
    """Raise AccessDenied, saying what to do, unless may_use_source allows it."""
    if may_use_source(source, team_id, user_id, multi_workspace=multi_workspace):
        return
    who = f"<@{user_id}>" if user_id else "this schedule's owner"
    raise AccessDenied(f"{who} may not use the data source “{source.name}” in this workspace. "
                       "Ask a reportbot admin to grant access in the data source settings.")


def _grants(allowed: frozenset[str], who: str | None) -> bool:
    if not allowed or EVERYONE in allowed:
        return True  # an omitted list does not restrict on its own
    return who is not None and who in allowed
