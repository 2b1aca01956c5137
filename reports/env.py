"""Numbers from the environment for report types' settings, with a clear error naming the key."""

from __future__ import annotations

from collections.abc import Mapping

from reports.errors import ReportError


def env_number(env: Mapping[str, str], key: str, default: float, error: type[ReportError] = ReportError) -> float:
    """`env[key]` as a number, `default` when unset or blank; `error` when it is not a number."""
    raw = env.get(key, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise error(f"{key} must be a number, not {raw!r}.") from None
