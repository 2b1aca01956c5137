"""`/report admin`: the workspace policy admins set — quotas, the run-now cool-down, the email
domain allowlist, the webhook host allow-list and private-address switch, who may use which
report type (or data source) — and REST API tokens."""

from __future__ import annotations

import re

from slack_sdk import WebClient

from bot.admin_tokens import USAGE as TOKEN_USAGE
from bot.admin_tokens import token_command
from bot.deps import BotDeps
from bot.people import person
from bot.refs import ESCAPED_USER
from bot.views.replies import Reply
from jobs.delivery.addresses import parse_domain
from jobs.delivery.outbound import parse_host_pattern
from reports.errors import ReportError
from reports.registry import all_report_types, get_report_type
from storage.audit import record
from storage.errors import BadInput, PermissionDenied
from storage.workspace import workspace_settings_for_update

USAGE = """*Workspace settings* (admins only):
• `/report admin` — show them
• `/report admin quota user <n|none|default>` — schedules per person
• `/report admin quota workspace <n|none|default>` — schedules in the workspace
• `/report admin cooldown <seconds|none|default>` — wait between two manual runs of a schedule
• `/report admin domains example.com, partner.org` (or `none`, `default`) — where email may go
• `/report admin webhooks hooks.example.com, *.corp.example` (or `none`, `default`) — hosts webhooks may go to
• `/report admin webhooks private on` (or `off`) — let webhooks reach private, loopback and link-local addresses
• `/report admin allow <report type> @alice @bob` (or `everyone`) — who may use a report type
• `/report admin weekstart sunday` (or `monday`, the default) — the day weekly periods begin
""" + TOKEN_USAGE
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _number(word: str, what: str) -> int | None:
    """A limit as typed: a number, 'none' (no limit, stored as 0) or 'default' (None)."""
    word = word.lower().rstrip("s")
    if word in ("default", "reset"):
        return None
    if word in ("none", "unlimited", "off", "no"):
        return 0
    minutes = word.endswith("m") or word.endswith("min")
    digits = word.rstrip("min")
    if not digits.isdigit() or len(digits) > 7:
        raise BadInput(f"The {what} must be a whole number, `none` or `default`, not “{word[:20]}”.")
    return int(digits) * (60 if minutes else 1)


def settings_text(deps: BotDeps, team_id: str) -> str:
    policy = deps.policy(team_id)
    access = "\n".join(f"  – {name}: " + ", ".join(f"<@{u}>" for u in users)
                       for name, users in sorted(policy.access.items()) if users) or "  – every report type: everyone"
    limit = lambda n: "no limit" if n is None else str(n)  # noqa: E731
    return (f"*reportbot settings for this workspace*\n"
            f"• Schedules per person: {limit(policy.max_schedules_per_user)}\n"
            f"• Schedules in the workspace: {limit(policy.max_schedules_per_team)}\n"
            f"• Run-now cool-down: {policy.run_now_cooldown_seconds} s\n"
            f"• Email allowed to: {', '.join(policy.email_domains) or 'nobody yet'}\n"
            f"• Webhooks allowed to: {', '.join(policy.webhook_hosts) or 'no host yet'}"
            f"{' (private addresses too)' if policy.webhook_private else ''}\n"
            f"• Weeks start on: {WEEKDAYS[policy.week_start].capitalize()}\n"
            f"• Report types limited to:\n{access}\n\n{USAGE}")


def _ensure_admin(deps: BotDeps, client: WebClient, team_id: str, user_id: str) -> None:
    if not person(deps, client, team_id, user_id).is_admin:
        raise PermissionDenied("Only workspace admins can change reportbot's settings for the workspace.")


def handle_admin(deps: BotDeps, client: WebClient, *, team_id: str, user_id: str, text: str) -> Reply:
    words = text.split()
    if not words or words[0].lower() in ("show", "settings", "help"):
        if words[:1] == ["help"]:
            return Reply(USAGE)
        _ensure_admin(deps, client, team_id, user_id)
        return Reply(settings_text(deps, team_id))
    _ensure_admin(deps, client, team_id, user_id)
    verb, args = words[0].lower(), words[1:]
    if verb in ("token", "tokens"):
        return token_command(deps, team_id=team_id, user_id=user_id, args=args)
    with deps.jobs.database.session() as session:
        settings = workspace_settings_for_update(session, team_id)
        if verb == "quota" and len(args) == 2 and args[0].lower() in ("user", "person", "people", "workspace", "team"):
            value = _number(args[1], "quota")
            if args[0].lower() in ("user", "person", "people"):
                settings.max_schedules_per_user = value
            else:
                settings.max_schedules_per_team = value
        elif verb == "cooldown" and len(args) == 1:
            settings.run_now_cooldown_seconds = _number(args[0], "cool-down")
        elif verb in ("weekstart", "week-start", "week") and len(args) == 1:
            settings.week_start = _weekday(args[0])
        elif verb == "domains" and args:
            settings.email_domains = _domains(" ".join(args))
        elif verb in ("webhooks", "webhook") and len(args) == 2 and args[0].lower() == "private":
            settings.webhook_private = _on_off(args[1], "private addresses for webhooks")
        elif verb in ("webhooks", "webhook") and args:
            settings.webhook_hosts = _hosts(" ".join(args))
        elif verb == "allow" and len(args) >= 2:
            name = _report_type_name(args[0])
            access = dict(settings.access or {})
            if [a.lower() for a in args[1:]] in (["everyone"], ["all"], ["anyone"]):
                access.pop(name, None)
            else:
                users = [m.group(1) for m in (ESCAPED_USER.fullmatch(a.strip(",")) for a in args[1:]) if m]
                if not users or len(users) != len(args) - 1:
                    raise BadInput("Name people as @mentions, e.g. `/report admin allow demo_sales @alice @bob`, "
                                   "or say `everyone`.")
                access[name] = sorted(set(users))
            settings.access = access
        else:
            return Reply(f"I didn't understand `/report admin {text[:80]}`.\n{USAGE}")
        settings.updated_by = user_id
        record(session, team_id=team_id, actor=user_id, action="settings", surface="slash_command",
               details={"change": text[:500]})
    return Reply("✅ Saved.\n" + settings_text(deps, team_id))


def _weekday(word: str) -> int | None:
    """A day name (or its first three letters) as 0 = Monday … 6 = Sunday; `default` is Monday."""
    word = word.lower().strip(".,")
    if word in ("default", "reset"):
        return None
    found = [i for i, day in enumerate(WEEKDAYS) if len(word) >= 3 and day.startswith(word)]
    if len(found) != 1:
        raise BadInput(f"Which day do weeks start on? Say a day such as `monday` or `sunday`, not “{word[:20]}”.")
    return found[0]


def _domains(text: str) -> list[str] | None:
    if text.strip().lower() in ("default", "reset"):
        return None
    if text.strip().lower() in ("none", "nobody", "off"):
        return []
    typed = [d for d in re.split(r"[\s,;]+", text) if d.strip()]
    bad = [d for d in typed if parse_domain(d) is None]
    if bad:
        raise BadInput(f"These are not domain names: {', '.join(bad)[:200]}.")
    return sorted({parse_domain(d) for d in typed})[:100]


def _hosts(text: str) -> list[str] | None:
    if text.strip().lower() in ("default", "reset"):
        return None
    if text.strip().lower() in ("none", "nobody", "off"):
        return []
    typed = [h for h in re.split(r"[\s,;]+", text) if h.strip()]
    bad = [h for h in typed if parse_host_pattern(h) is None]
    if bad:
        raise BadInput(f"These are not host names (like `hooks.example.com` or `*.corp.example`): "
                       f"{', '.join(bad)[:200]}.")
    return sorted({parse_host_pattern(h) for h in typed})[:100]


def _on_off(word: str, what: str) -> bool:
    word = word.lower()
    if word in ("on", "yes", "allow", "true"):
        return True
    if word in ("off", "no", "deny", "false"):
        return False
    raise BadInput(f"Say `on` or `off` for {what}, not “{word[:20]}”.")


def _report_type_name(word: str) -> str:
    try:
        return get_report_type(word.lower()).name
    except ReportError:
        known = ", ".join(t.name for t in all_report_types())
        raise BadInput(f"There is no report type “{word[:40]}”. Report types: {known}.") from None
