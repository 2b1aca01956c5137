"""`/report admin token create|list|revoke`: REST API tokens made by a workspace admin, which act as
that admin (their permissions are checked in Slack again on every call)."""

from __future__ import annotations

from bot.deps import BotDeps
from bot.views.replies import Reply
from jobs.views.time_words import format_local
from storage import tokens as token_repo
from storage.audit import record
from storage.errors import BadInput

USAGE = ("• `/report admin token create read,write,run [label]` — a REST API token acting as you (shown once)\n"
         "• `/report admin token list` — this workspace's tokens\n"
         "• `/report admin token revoke <number>` — stop one")


def token_command(deps: BotDeps, *, team_id: str, user_id: str, args: list[str]) -> Reply:
    """Run one token subcommand for an admin (the caller checked they are one)."""
    verb = args[0].lower() if args else "list"
    with deps.jobs.database.session() as session:
        if verb == "create" and len(args) >= 2:
            scopes = token_repo.parse_scopes(args[1])
            label = " ".join(args[2:])[:200]
            token = token_repo.create_token(session, team_id, label, scopes=scopes, acting_user_id=user_id,
                                            created_by=user_id)
            record(session, team_id=team_id, actor=user_id, action="token_create", surface="slash_command",
                   details={"scopes": list(scopes), "label": label})
            return Reply(f"🔑 A REST API token acting as you, with {', '.join(scopes)} (shown only now — keep it "
                         f"secret):\n`{token}`\nUse it as `Authorization: Bearer …` on `/api/v1`.")
        if verb == "list":
            rows = token_repo.list_tokens(session, team_id)
            if not rows:
                return Reply("This workspace has no API tokens. " + USAGE.split("\n")[0].lstrip("• "))
            lines = [f"• *{row.id}* {row.label or '(no label)'} — {row.scopes.replace(' ', ', ')}, acts as "
                     f"{f'<@{row.acting_user_id}>' if row.acting_user_id else 'the workspace'}, last used "
                     f"{format_local(row.last_used_at, 'UTC') if row.last_used_at else 'never'}" for row in rows]
            return Reply("*API tokens*\n" + "\n".join(lines))
        if verb == "revoke" and len(args) == 2 and args[1].lstrip("#").isdigit() and len(args[1]) < 12:
            token_id = int(args[1].lstrip("#"))
            if not token_repo.revoke_tokens(session, team_id, token_id):
                raise BadInput(f"There is no live token {token_id} here; `/report admin token list` shows them.")
            record(session, team_id=team_id, actor=user_id, action="token_revoke", surface="slash_command",
                   details={"token_id": token_id})
            return Reply(f"🔒 Revoked token {token_id}.")
    raise BadInput(f"I didn't understand that. Tokens:\n{USAGE}")
