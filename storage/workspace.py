"""Repository functions for workspace settings and Home tab preferences. They never commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.models import HomePreference, HomeScope, WorkspaceSettings


def get_workspace_settings(session: Session, team_id: str) -> WorkspaceSettings | None:
    """The admin's settings of a workspace, or None when nothing was set."""
    return session.get(WorkspaceSettings, team_id)


def workspace_settings_for_update(session: Session, team_id: str) -> WorkspaceSettings:
    """The workspace's settings row, created empty (all defaults) when absent."""
    settings = session.get(WorkspaceSettings, team_id)
    if settings is None:
        settings = WorkspaceSettings(team_id=team_id, access={})
        session.add(settings)
    return settings


def get_home_preference(session: Session, team_id: str, user_id: str) -> HomePreference:
    """What the person last chose to see on Home; a transient default when never set."""
    found = session.get(HomePreference, (team_id, user_id))
    return found or HomePreference(team_id=team_id, user_id=user_id, scope=HomeScope.MINE, page=0, is_admin=False)


def set_home_preference(session: Session, team_id: str, user_id: str, *, scope: str | None = None,
                        page: int | None = None, is_admin: bool | None = None) -> HomePreference:
    """Change the given fields of the person's Home preference (creating it) and return it."""
    found = session.get(HomePreference, (team_id, user_id))
    if found is None:
        found = HomePreference(team_id=team_id, user_id=user_id, scope=HomeScope.MINE, page=0, is_admin=False)
        session.add(found)
    if scope is not None:
        found.scope = scope
    if page is not None:
        found.page = max(0, page)
    if is_admin is not None:
        found.is_admin = is_admin
    return found
