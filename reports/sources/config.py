"""Data sources an admin configures for the `sql` report type, and who may read them.

Users pick a source by name; they never type a connection URL. Two ways to configure, usable together:

* a YAML or JSON file named by `REPORTBOT_DATA_SOURCES`::

      sources:
        warehouse:
          url_env: WAREHOUSE_URL          # or url: postgresql+psycopg://reader@db/warehouse
          description: Sales warehouse (read replica)
          allowed_teams: [T0123ABCD]      # omit = the one workspace (single-workspace install) or none (OAuth)
          allowed_users: ["*"]            # omit = any user; one of the two lists must be given
          max_rows: 200000                # default 100,000
          timeout_seconds: 30             # default 60
          max_cell_bytes: 1048576         # default 1 MiB: no single value larger
          max_result_bytes: 268435456     # default 256 MiB: the whole result
          queries:                        # saved queries users can pick instead of writing SQL
            daily_revenue: select day, sum(amount) as revenue from orders
                           where paid_at >= :window_start and paid_at < :window_end group by day

* environment variables: `REPORTBOT_SOURCE_<NAME>=<SQLAlchemy URL>`, with optional
  `REPORTBOT_SOURCE_<NAME>__USERS`, `__TEAMS` (comma-separated ids or `*`), `__MAX_ROWS`, `__TIMEOUT`,
  `__MAX_CELL_BYTES`, `__MAX_RESULT_BYTES`. An environment URL for a name the file also defines replaces
  the file's URL, so the file can hold the rules and the environment the secret.

Who may use a source is decided by `reports.sources.access.may_use_source`. Only PostgreSQL, MySQL /
MariaDB and SQLite sources are accepted, because those are the ones whose read-only mode, time limit
and caps reportbot knows how to enforce (see the README's "Supported databases").
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from reports.sources.access import check_source_access, may_use_source
from reports.sources.errors import DataSourceConfigError, DataSourceError

log = logging.getLogger(__name__)

FILE_ENV = "REPORTBOT_DATA_SOURCES"
SOURCE_ENV_PREFIX = "REPORTBOT_SOURCE_"
DEFAULT_MAX_ROWS = 100_000
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 3_600.0
DEFAULT_MAX_CELL_BYTES = 1 << 20
DEFAULT_MAX_RESULT_BYTES = 256 << 20
# The OAuth install's client id: when set, the app serves many workspaces (see bot/settings.py).
MULTI_WORKSPACE_ENV = "SLACK_CLIENT_ID"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_KEYS = {"url", "url_env", "description", "allowed_users", "allowed_teams", "max_rows", "timeout_seconds",
         "max_cell_bytes", "max_result_bytes", "queries"}
_ENV_OPTIONS = (("USERS", "allowed_users"), ("TEAMS", "allowed_teams"), ("MAX_ROWS", "max_rows"),
                ("TIMEOUT", "timeout_seconds"), ("MAX_CELL_BYTES", "max_cell_bytes"),
                ("MAX_RESULT_BYTES", "max_result_bytes"))
# SQLAlchemy backend name -> the family whose guarantees reportbot enforces, and the driver it ships.
_FAMILIES = {"postgres": ("postgresql", "psycopg"), "postgresql": ("postgresql", "psycopg"),
             "mysql": ("mysql", "pymysql"), "mariadb": ("mysql", "pymysql"), "sqlite": ("sqlite", None)}


@dataclass(frozen=True)
class DataSource:
    """One configured database. `url` holds credentials: it is never shown or logged."""

    name: str
    url: URL = field(repr=False)
    allowed_users: frozenset[str] = frozenset()
    allowed_teams: frozenset[str] = frozenset()
    max_rows: int = DEFAULT_MAX_ROWS
    timeout_seconds: float = DEFAULT_TIMEOUT
    max_cell_bytes: int = DEFAULT_MAX_CELL_BYTES
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    description: str = ""
    queries: Mapping[str, str] = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    @property
    def family(self) -> str:
        """"postgresql", "mysql" (MySQL and MariaDB) or "sqlite": which guarantees apply."""
        return _FAMILIES[self.backend][0]

    @property
    def safe_url(self) -> str:
        """The URL with the password masked, for logs."""
        return self.url.render_as_string(hide_password=True)


class DataSources(Mapping[str, DataSource]):
    """The configured sources by name, and whether the app serves many workspaces (OAuth install)."""

    def __init__(self, sources: Mapping[str, DataSource] | None = None, *, multi_workspace: bool) -> None:
        self._sources = dict(sources or {})
        self.multi_workspace = multi_workspace

    def __getitem__(self, name: str) -> DataSource:
        return self._sources[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._sources))

    def __len__(self) -> int:
        return len(self._sources)

    def get_source(self, name: str) -> DataSource:
        """Return the source or raise DataSourceError naming the ones that exist."""
        source = self._sources.get(str(name).strip().lower())
        if source is None:
            known = ", ".join(self) or "none are configured"
            raise DataSourceError(f"There is no data source “{name}” (available: {known}).")
        return source

    def may_use(self, source: DataSource, team_id: str | None, user_id: str | None) -> bool:
        """True when this person, in this workspace, may read the source (see may_use_source)."""
        return may_use_source(source, team_id, user_id, multi_workspace=self.multi_workspace)

    def check_access(self, source: DataSource, team_id: str | None, user_id: str | None) -> None:
        """Raise AccessDenied, saying what to do, unless this person may read the source."""
        check_source_access(source, team_id, user_id, multi_workspace=self.multi_workspace)

    def usable_by(self, team_id: str | None, user_id: str | None) -> list[DataSource]:
        """The sources this person may read, for pickers."""
        return [self._sources[n] for n in self if self.may_use(self._sources[n], team_id, user_id)]


def load_data_sources(env: Mapping[str, str] | None = None) -> DataSources:
    """Read the configuration file and `REPORTBOT_SOURCE_*` variables from `env` (default: os.environ)."""
    env = os.environ if env is None else env
    specs: dict[str, dict] = {}
    origin: dict[str, str] = {}
    path = env.get(FILE_ENV, "").strip()
    if path:
        for name, spec in _read_file(Path(path)).items():
            specs[name] = dict(spec)
            origin[name] = f"{path}: sources.{name}"
    for key, value in env.items():
        if not key.startswith(SOURCE_ENV_PREFIX) or "__" in key[len(SOURCE_ENV_PREFIX):]:
            continue
        name = key[len(SOURCE_ENV_PREFIX):].lower()
        spec = specs.setdefault(name, {})
        spec.pop("url_env", None)
        spec["url"] = value
        origin.setdefault(name, key)
        for option, field_name in _ENV_OPTIONS:
            extra = env.get(f"{key}__{option}")
            if extra is not None:
                spec[field_name] = extra
    return DataSources({name: _build(name, spec, origin[name], env) for name, spec in specs.items()},
                       multi_workspace=bool(env.get(MULTI_WORKSPACE_ENV, "").strip()))


def _read_file(path: Path) -> dict[str, dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataSourceConfigError(f"The data source file {path} cannot be read ({exc.strerror}).") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataSourceConfigError(f"The data source file {path} is not valid YAML/JSON: "
                                    f"{str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if isinstance(data, dict) and isinstance(data.get("sources"), dict):
        data = data["sources"]
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise DataSourceConfigError(f"The data source file {path} must map source names to settings "
                                    "(see reports/sources/config.py).")
    return {str(k).strip().lower(): v for k, v in data.items()}


def _build(name: str, spec: dict, where: str, env: Mapping[str, str]) -> DataSource:
    def bad(message: str) -> DataSourceConfigError:
        return DataSourceConfigError(f"Data source “{name}” ({where}): {message}")

    if not _NAME.match(name):
        raise bad("names are lower_snake_case letters and digits, starting with a letter.")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise bad(f"unknown setting {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}.")
    raw_url = spec.get("url")
    if spec.get("url_env"):
        raw_url = env.get(str(spec["url_env"]))
        if not raw_url:
            raise bad(f"url_env names {spec['url_env']}, which is not set.")
    if not raw_url:
        raise bad("no url.")
    url = _parse_url(str(raw_url), bad)
    queries = spec.get("queries") or {}
    if not isinstance(queries, dict) or not all(isinstance(q, str) and q.strip() for q in queries.values()):
        raise bad("queries must map names to SQL text.")
    return DataSource(
        name=name, url=url,
        allowed_users=_ids(spec.get("allowed_users"), bad), allowed_teams=_ids(spec.get("allowed_teams"), bad),
        max_rows=int(_number(spec.get("max_rows"), DEFAULT_MAX_ROWS, 1, 100_000_000, "max_rows", bad)),
        timeout_seconds=_number(spec.get("timeout_seconds"), DEFAULT_TIMEOUT, 0.01, MAX_TIMEOUT, "timeout_seconds",
                                bad),
        max_cell_bytes=int(_number(spec.get("max_cell_bytes"), DEFAULT_MAX_CELL_BYTES, 1_024, 1 << 30,
                                   "max_cell_bytes", bad)),
        max_result_bytes=int(_number(spec.get("max_result_bytes"), DEFAULT_MAX_RESULT_BYTES, 1_024, 1 << 40,
                                     "max_result_bytes", bad)),
        description=str(spec.get("description") or ""),
        queries={str(k).strip().lower(): v for k, v in queries.items()},
    )


def _parse_url(raw: str, bad) -> URL:
    # Never put the URL in a message: it usually carries a password.
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise bad("the url is not a SQLAlchemy URL.") from None
    backend = url.get_backend_name()
    if backend not in _FAMILIES:
        raise bad(f"{backend} is not supported; use PostgreSQL, MySQL/MariaDB or SQLite, whose read-only mode, "
                  "time limit and caps reportbot enforces.")
    family, driver = _FAMILIES[backend]
    if family == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise bad("a SQLite source must name a database file (sqlite:////path/to/file.db).")
        return url
    if not url.database:
        raise bad("the url must name a database.")
    # The drivers reportbot ships (psycopg 3, PyMySQL); "postgres://" is what hosting providers hand out.
    return url.set(drivername=f"{'postgresql' if backend == 'postgres' else backend}+{driver}")


def _ids(raw: object, bad) -> frozenset[str]:
    if raw is None or raw == "":
        return frozenset()
    items = re.split(r"[,\s]+", raw) if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)):
        raise bad("allowed_users / allowed_teams must be lists of Slack ids (or \"*\").")
    return frozenset(str(i).strip() for i in items if str(i).strip())


def _number(raw: object, default: float, low: float, high: float, key: str, bad) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(str(raw).replace("_", "").replace(",", ""))
    except ValueError:
        raise bad(f"{key} must be a number, not {raw!r}.") from None
    if not low <= value <= high:
        raise bad(f"{key} must be between {low:g} and {high:g}.")
    return value
