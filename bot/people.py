"""Who is asking, as Slack describes them (the rules about people are in jobs.access)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import BotDeps
from bot.lookup import is_channel_member
from jobs.access import Person, person_from_slack
from storage.errors import PermissionDenied
from storage.models import DestinationKind, Schedule

log = logging.getLogger(__name__)
# users.info answers that say "not now" rather than "no such person".
TRANSIENT = {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}


class SlackUnreachable(PermissionDenied):
    """Slack could not say who someone is just now: nobody gets rights meanwhile, and asking again later
    may succeed (the REST API answers 503, not a refusal a client would remember)."""


def person(deps: BotDeps, client: WebClient, team_id: str, user_id: str) -> Person:
    """The person acting in `team_id`; PermissionDenied when Slack can't say who they are (nobody
    gets rights by accident while Slack is unreachable)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        code = exc.response.get("error")
        log.info("users.info failed for %s: %s", user_id, code)
        if code in TRANSIENT:
            raise SlackUnreachable(f"Slack couldn't tell me who you are just now ({code}); please try again in a "
                                   f"moment.") from None
        raise PermissionDenied(f"I couldn't look up your Slack account ({code}), so I can't do that.") from None
    except (SlackClientError, OSError) as exc:
        log.warning("could not look up %s: %s", user_id, exc)
        raise SlackUnreachable("I couldn't reach Slack to check your account just now; please try again.") from None
    return person_from_slack(user, team_id, deps.jobs.settings.policy.admin_user_ids)


def receives(client: WebClient, schedule: Schedule, user_id: str, *,
             in_channel: Callable[[str], bool] | None = None) -> bool:
    """Whether the schedule is sent to this person: by DM, or into a channel they are in (`in_channel`
    answers that when the caller already knows; else Slack is asked)."""
    for destination in schedule.destinations:
        if destination.kind == DestinationKind.SLACK_USER and destination.target == user_id:
            return True
    in_channel = in_channel or (lambda channel_id: is_channel_member(client, channel_id, user_id))
    return any(d.kind == DestinationKind.SLACK_CHANNEL and in_channel(d.target) for d in schedule.destinations)
