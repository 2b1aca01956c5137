"""The route table: every endpoint once, with its scope, models and status, registered by the
handler modules' `@route` decorators; the dispatcher and the OpenAPI document both read it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from jobs.access import Person

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Caller:
    """Who is calling: a live token of one workspace, its scopes and whom it acts as (None: the workspace)."""

    token_id: int
    team_id: str
    scopes: frozenset[str]
    acting_user_id: str | None
    ip: str

    @property
    def actor(self) -> str:
        """Who the audit log names: the person the token acts as, or "api" for a workspace token."""
        return self.acting_user_id or "api"


@dataclass
class Request:
    """What a handler gets: the path's ids, the query and body read into their models, the caller."""

    deps: Any  # bot.deps.BotDeps
    caller: Caller | None
    params: dict[str, int]
    query: BaseModel | None
    body: BaseModel | None
    environ: dict
    _person: Person | None = field(default=None, repr=False)


@dataclass
class Answer:
    """A handler's answer: JSON (a model or a dict), nothing (204), or a stream of bytes."""

    status: int = 200
    payload: BaseModel | dict | None = None
    headers: tuple[tuple[str, str], ...] = ()
    stream: Iterable[bytes] | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # "/api/v1/schedules/{schedule_id}": every {…} is a positive integer id
    handler: Callable[[Request], Answer]
    summary: str
    scope: str | None  # None: no token needed
    status: int = 200
    body: type[BaseModel] | None = None
    body_optional: bool = False  # an empty body is no body (run now without a period)
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    content_type: str = "application/json"  # of a successful answer
    errors: tuple[int, ...] = ()
    invalid_status: int = 422  # a body whose fields do not fit (the trigger endpoint keeps its 400)
    error_member: bool = False  # problems also carry "error": the trigger endpoint's clients read it

    @property
    def pattern(self) -> re.Pattern:
        parts = re.split(r"(\{\w+\})", self.path)
        return re.compile("^" + "".join(f"(?P<{p[1:-1]}>[0-9]{{1,18}})" if p.startswith("{") else re.escape(p)
                                        for p in parts) + "$")

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


ROUTES: list[Route] = []


def route(method: str, path: str, *, summary: str, scope: str | None, **options) -> Callable:
    """Register the decorated module-level function as the handler of `method path`."""

    def register(handler: Callable[[Request], Answer]) -> Callable[[Request], Answer]:
        ROUTES.append(Route(method, PREFIX + path, handler, summary, scope, **options))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route | None, dict[str, int], tuple[str, ...]]:
    """The route for `method path` and its ids; without one, the methods the path answers (for 405's
    `Allow`; empty when the path is unknown)."""
    allowed: list[str] = []
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found is None:
            continue
        if candidate.method != method and not (method == "HEAD" and candidate.method == "GET"):
            allowed += [candidate.method, "HEAD"] if candidate.method == "GET" else [candidate.method]
            continue
        return candidate, {k: int(v) for k, v in found.groupdict().items()}, ()
    return None, {}, tuple(dict.fromkeys(allowed))
