"""What the Slack surface's listeners need, put on every request's Bolt context by one middleware.

Listeners are module-level functions that take Bolt's `context` and read `deps_of(context)`, so a
test can call one alone with a context of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt import BoltContext

from bot.check_limits import ConditionCheckLimit
from bot.settings import BotSettings
from jobs.context import JobContext
from jobs.phases import Enqueue
from jobs.policy import Policy, policy_for

DEPS_KEY = "reportbot_deps"


@dataclass
class BotDeps:
    jobs: JobContext
    enqueue: Enqueue
    settings: BotSettings
    condition_checks: ConditionCheckLimit = field(default_factory=ConditionCheckLimit)

    def policy(self, team_id: str) -> Policy:
        """The rules in force in this workspace."""
        with self.jobs.database.session() as session:
            return policy_for(session, self.jobs.settings.policy, team_id)


def deps_of(context: BoltContext) -> BotDeps:
    return context[DEPS_KEY]


def provide_deps(deps: BotDeps) -> Callable:
    """Bolt middleware: every listener finds the app's dependencies on its context."""

    def provide_reportbot_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context[DEPS_KEY] = deps
        return next()

    return provide_reportbot_deps
