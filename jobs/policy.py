"""The rules in force in a workspace: what its admins set (`/report admin`) over the deployment's
defaults (environment variables). Read by every surface and again when a run is generated."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from jobs.delivery.addresses import domain_allowed, parse_domain
from jobs.delivery.outbound import parse_host_pattern
from storage.db import Session
from storage.errors import SettingsError
from storage.workspace import get_workspace_settings


def _limit(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if raw.lower() in ("none", "unlimited", "off"):
        return None
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number (or 'none'), not {raw!r}.")
    return int(raw)


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (env.get(name) or "").split(",") if v.strip()))


def _parsed(env: Mapping[str, str], name: str, parse: Callable[[str], str | None], what: str) -> tuple[str, ...]:
    """A comma-separated list each item of which `parse` reads (None: a clear error naming it)."""
    parsed = []
    for item in _list(env, name):
        value = parse(item)
        if value is None:
            raise SettingsError(f"{name}: {item!r} is not {what}.")
        parsed.append(value)
    return tuple(parsed)


def _hosts(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return _parsed(env, name, parse_host_pattern, "a host name (like hooks.example.com or *.corp.example)")


def _domains(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return _parsed(env, name, parse_domain, "a domain name")


@dataclass(frozen=True)
class PolicyDefaults:
    """What applies in a workspace until its admins set otherwise."""

    max_schedules_per_user: int | None = 25
    max_schedules_per_team: int | None = 500
    run_now_cooldown_seconds: int = 60
    email_domains: tuple[str, ...] = ()  # empty: email only once an admin allows a domain
    admin_user_ids: frozenset[str] = frozenset()  # REPORTBOT_ADMINS, beside Slack's own admins
    # Multi-workspace installs: the workspaces (team ids) that may install and use the app.
    allowed_teams: frozenset[str] = frozenset()
    previews_per_hour: int = 10  # per person; previews also wait out the run-now cool-down
    webhook_hosts: tuple[str, ...] = ()  # empty: webhooks only once an admin allows a host

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PolicyDefaults:
        env = os.environ if env is None else env
        return cls(
            max_schedules_per_user=_limit(env, "REPORTBOT_MAX_SCHEDULES_PER_USER", 25),
            max_schedules_per_team=_limit(env, "REPORTBOT_MAX_SCHEDULES_PER_WORKSPACE", 500),
            run_now_cooldown_seconds=_limit(env, "REPORTBOT_RUN_NOW_COOLDOWN", 60) or 0,
            email_domains=_domains(env, "REPORTBOT_EMAIL_DOMAINS"),
            admin_user_ids=frozenset(_list(env, "REPORTBOT_ADMINS")),
            allowed_teams=frozenset(_list(env, "REPORTBOT_ALLOWED_TEAMS")),
            previews_per_hour=_limit(env, "REPORTBOT_PREVIEWS_PER_HOUR", 10) or 0,
            webhook_hosts=_hosts(env, "REPORTBOT_WEBHOOK_HOSTS"),
        )


@dataclass(frozen=True)
class Policy:
    """The rules in force in one workspace: the admins' settings over the deployment's defaults."""

    max_schedules_per_user: int | None
    max_schedules_per_team: int | None
    run_now_cooldown_seconds: int
    email_domains: tuple[str, ...]
    # report type or data source name -> the user ids allowed to use it; absent means everyone.
    access: dict[str, list[str]] = field(default_factory=dict)
    previews_per_hour: int = 10
    week_start: int = 0  # weekly periods begin on this day (0 = Monday … 6 = Sunday)
    webhook_hosts: tuple[str, ...] = ()  # where webhooks may go ("hooks.example.com", "*.corp.example")
    webhook_private: bool = False  # whether webhooks may reach private, loopback and link-local addresses

    def limited_to(self, resource: str) -> list[str] | None:
        """Who may use a report type or data source, or None when everyone may."""
        allowed = self.access.get(resource)
        return list(allowed) if allowed else None

    def email_allowed(self, address: str) -> bool:
        return domain_allowed(address, self.email_domains)


def policy_for(session: Session, defaults: PolicyDefaults, team_id: str) -> Policy:
    """The policy of one workspace."""
    row = get_workspace_settings(session, team_id)
    if row is None:
        return Policy(defaults.max_schedules_per_user, defaults.max_schedules_per_team,
                      defaults.run_now_cooldown_seconds, defaults.email_domains, {}, defaults.previews_per_hour,
                      webhook_hosts=defaults.webhook_hosts)
    # A NULL quota means "the default"; 0 is how an admin says "no limit".
    per_user = defaults.max_schedules_per_user if row.max_schedules_per_user is None else row.max_schedules_per_user
    per_team = defaults.max_schedules_per_team if row.max_schedules_per_team is None else row.max_schedules_per_team
    cooldown = defaults.run_now_cooldown_seconds if row.run_now_cooldown_seconds is None \
        else row.run_now_cooldown_seconds
    domains = defaults.email_domains if row.email_domains is None else tuple(row.email_domains)
    hosts = defaults.webhook_hosts if row.webhook_hosts is None else tuple(row.webhook_hosts)
    return Policy(per_user or None, per_team or None, cooldown, domains, dict(row.access or {}),
                  defaults.previews_per_hour, row.week_start or 0, webhook_hosts=hosts,
                  webhook_private=bool(row.webhook_private))
