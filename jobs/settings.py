"""Settings of background work and of the Slack Web API client, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from jobs.policy import PolicyDefaults
from storage.errors import SettingsError

SLACK_API_DEFAULT = "https://slack.com/api/"


def _number(env: dict[str, str], name: str, default: float, *, minimum: float = 0) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}.")
    return value


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str | None = field(repr=False)  # never in a log line or a traceback's repr
    api_url: str
    # Multi-workspace (OAuth) installs: each workspace's token comes from the installation store.
    client_id: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SlackSettings:
        env = dict(os.environ if env is None else env)
        api_url = env.get("SLACK_API_URL") or SLACK_API_DEFAULT
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}.")
        token = env.get("SLACK_BOT_TOKEN") or None
        if token is not None and not token.startswith("xoxb-"):
            raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")
        return cls(bot_token=token, api_url=api_url if api_url.endswith("/") else api_url + "/",
                   client_id=env.get("SLACK_CLIENT_ID") or None)


@dataclass(frozen=True)
class JobSettings:
    redis_url: str | None
    tick_interval: float  # seconds between clock ticks
    lookahead: float  # the tick claims slots this far ahead and enqueues them with a delay
    missed_grace: float  # a missed slot younger than this still gets its (one) catch-up run
    lease_seconds: float  # how long a worker holds a run without renewing
    dispatch_timeout: float  # a queued run not picked up by then is enqueued again
    max_attempts: int  # a run whose worker died this many times is failed
    worker_threads: int
    # Slack's tiers are minimums ("100+ per minute"); a workspace with a higher allowance (or a test
    # emulator running minutes as seconds) multiplies the paced rates by this.
    slack_rate_multiplier: float = 1.0
    spread_seconds: int = 0  # default release window for daily-or-coarser runs (see Schedule.spread_seconds)
    # Delivery: each destination is retried on its own with exponential backoff and jitter.
    delivery_max_attempts: int = 8
    delivery_backoff_base: float = 10.0  # seconds before the first retry (then doubling)
    delivery_backoff_cap: float = 900.0
    failures_before_pause: int = 3  # consecutive failed runs before a schedule goes to `error`
    # Housekeeping (the `cleanup` actor, triggered by the tick every `cleanup_interval`).
    artifact_retention_days: float = 30.0
    run_retention_days: float = 90.0
    alert_check_retention_days: float = 7.0  # alert checks that told nobody (see jobs.cleanup.delete_quiet_checks)
    stale_run_seconds: float = 7200.0  # a run unfinished this long is failed and reported
    cleanup_interval: float = 3600.0
    # Runs settling within this many seconds of each other refresh their owner's App Home once.
    home_refresh_seconds: float = 2.0
    # What applies in a workspace until its admins set otherwise (quotas, email domains, admins…).
    policy: PolicyDefaults = field(default_factory=PolicyDefaults)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> JobSettings:
        env = dict(os.environ if env is None else env)
        return cls(
            redis_url=env.get("REDIS_URL") or None,
            tick_interval=_number(env, "TICK_INTERVAL", 2.0, minimum=0.1),
            lookahead=_number(env, "TICK_LOOKAHEAD", 10.0),
            missed_grace=_number(env, "MISSED_GRACE", 3600.0),
            lease_seconds=_number(env, "RUN_LEASE_SECONDS", 120.0, minimum=1),
            dispatch_timeout=_number(env, "DISPATCH_TIMEOUT", 600.0, minimum=1),
            max_attempts=int(_number(env, "MAX_ATTEMPTS", 3, minimum=1)),
            worker_threads=int(_number(env, "WORKER_THREADS", 4, minimum=1)),
            slack_rate_multiplier=_number(env, "SLACK_RATE_MULTIPLIER", 1.0, minimum=0.01),
            spread_seconds=int(_number(env, "SPREAD_SECONDS", 0)),
            delivery_max_attempts=int(_number(env, "DELIVERY_MAX_ATTEMPTS", 8, minimum=1)),
            delivery_backoff_base=_number(env, "DELIVERY_BACKOFF_BASE", 10.0),
            delivery_backoff_cap=_number(env, "DELIVERY_BACKOFF_CAP", 900.0),
            failures_before_pause=int(_number(env, "FAILURES_BEFORE_PAUSE", 3, minimum=1)),
            artifact_retention_days=_number(env, "ARTIFACT_RETENTION_DAYS", 30.0, minimum=0.001),
            run_retention_days=_number(env, "RUN_RETENTION_DAYS", 90.0, minimum=0.001),
            alert_check_retention_days=_number(env, "ALERT_CHECK_RETENTION_DAYS", 7.0, minimum=0.001),
            stale_run_seconds=_number(env, "STALE_RUN_SECONDS", 7200.0, minimum=1),
            cleanup_interval=_number(env, "CLEANUP_INTERVAL", 3600.0, minimum=1),
            home_refresh_seconds=_number(env, "HOME_REFRESH_SECONDS", 2.0),
            policy=PolicyDefaults.from_env(env),
        )
