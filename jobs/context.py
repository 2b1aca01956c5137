"""What background work needs from the outside world, in one object that tests can replace.

Actors run in worker processes that only import `jobs`, so everything they use (database,
artifact store, Slack clients, settings, the clock) is built here from the environment.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient

from jobs.delivery.email_settings import EmailSettings
from jobs.delivery.outbound import WebhookSettings
from jobs.home_refresh import HomeRefresher
from jobs.links import LinkSettings
from jobs.pacing import (
    BriefRateLimitRetryHandler,
    LocalPacer,
    PacedWebClient,
    RedisPacer,
)
from jobs.settings import JobSettings, SlackSettings
from storage.clock import wall_clock
from storage.db import Database, get_database
from storage.errors import SettingsError
from storage.filestore import ArtifactStore, StoreConfigError, store_from_env
from storage.installations import find_bot_token


class AdjustableClock:
    """Real time plus an offset that can jump forward.

    The demo and the tests jump to a slot time instead of waiting for it; every part of the job
    context (tick, leases, workers) then agrees on what time it is.
    """

    def __init__(self) -> None:
        self._offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return wall_clock() + self._offset

    def jump_to(self, when: dt.datetime) -> None:
        self._offset = when - wall_clock()


def team_allowed(allowed_teams: frozenset[str], team_id: str | None) -> bool:
    """Whether a workspace may use a multi-workspace install (REPORTBOT_ALLOWED_TEAMS; `*` is any)."""
    return "*" in allowed_teams or (team_id is not None and team_id in allowed_teams)


def slack_client(token: str, api_url: str, *, pacer=None, team_id: str = "", multiplier: float = 1.0) -> WebClient:
    """Build a WebClient that waits out short rate limits instead of failing (and paces itself when
    given a pacer)."""
    if pacer is not None:
        client = PacedWebClient(pacer=pacer, team_id=team_id, multiplier=multiplier, token=token, base_url=api_url,
                                timeout=30)
    else:
        client = WebClient(token=token, base_url=api_url, timeout=30)
    client.retry_handlers.append(BriefRateLimitRetryHandler(max_retry_count=3))
    return client


@dataclass
class JobContext:
    database: Database
    artifacts: ArtifactStore
    settings: JobSettings
    slack_settings: SlackSettings
    now: Callable[[], dt.datetime] = wall_clock
    # team id -> client; replaced by the multi-workspace installation store when OAuth is on.
    client_for_team: Callable[[str], WebClient] | None = None
    # Email delivery, the signed links in emails and webhooks; each reads the environment unless given.
    email: EmailSettings = field(default_factory=EmailSettings.from_env)
    links: LinkSettings = field(default_factory=LinkSettings.from_env)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings.from_env)
    _clients: dict[str, WebClient] = field(default_factory=dict)
    _pacer: object | None = None
    # Made on first use by jobs.home.request_home_refresh. Not copied by dataclasses.replace
    # (init=False): a copy with another database gets its own.
    home_refresher: HomeRefresher | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # One clock for the whole context: rows the database stamps on its own use it too.
        self.database.clock = self.now
        self.artifacts.clock = self.now

    @property
    def pacer(self):
        """One pacer per process: shared buckets in Redis when there is Redis, else in memory."""
        if self._pacer is None:
            self._pacer = RedisPacer(self.settings.redis_url) if self.settings.redis_url else LocalPacer()
        return self._pacer

    def slack(self, team_id: str) -> WebClient:
        if self.client_for_team is not None:
            return self.client_for_team(team_id)
        token = self.slack_settings.bot_token or self._installed_token(team_id)
        client = self._clients.get(team_id)
        if client is None or client.token != token:  # a re-install hands out a new token
            client = self._clients[team_id] = slack_client(
                token, self.slack_settings.api_url, pacer=self.pacer, team_id=team_id,
                multiplier=self.settings.slack_rate_multiplier,
            )
        return client

    def _installed_token(self, team_id: str) -> str:
        """The workspace's bot token from the OAuth installation store (worker and clock processes)."""
        if not self.slack_settings.client_id:
            raise SettingsError("No Slack bot token: set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID "
                                "and SLACK_CLIENT_SECRET (OAuth install).")
        allowed = team_allowed(self.settings.policy.allowed_teams, team_id)
        token = find_bot_token(self.database, self.slack_settings.client_id, team_id) if allowed else None
        if token is None:
            raise SettingsError(f"Workspace {team_id} has not installed the app (or uninstalled it).")
        return token


_lock = threading.Lock()
_context: JobContext | None = None


def get_context() -> JobContext:
    """Return the process-wide job context, built from the environment on first use."""
    global _context
    with _lock:
        if _context is None:
            try:
                artifacts = store_from_env()
            except StoreConfigError as exc:  # the CLI tells the operator, without a traceback
                raise SettingsError(str(exc)) from None
            _context = JobContext(
                database=get_database(),
                artifacts=artifacts,
                settings=JobSettings.from_env(),
                slack_settings=SlackSettings.from_env(),
            )
        return _context


def set_context(context: JobContext | None) -> JobContext | None:
    """Replace the process-wide job context (demo, tests); return the previous one."""
    global _context
    with _lock:
        previous, _context = _context, context
        return previous
