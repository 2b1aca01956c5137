"""The /api/v1 dispatcher: find the route, check the token (before any body is read), its rate and
scope, read a capped body, honour an Idempotency-Key, call the handler, and answer every error as
problem+json; an unexpected error is a 500 with an id that is in the log, never a traceback."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from http import HTTPStatus
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError

from bot.web.api import openapi, runs, schedules  # noqa: F401  (their @route decorators fill the table)
from bot.web.api.auth import authenticate, require_scope
from bot.web.api.idempotency import claim, idempotency_key, remember, request_hash
from bot.web.api.problems import PROBLEM_TYPE, ApiProblem, from_user_error, from_validation_error
from bot.web.api.rate_limit import rate_limiter
from bot.web.api.routes import PREFIX, Route, match
from bot.web.api.routes import Request as ApiRequest
from bot.web.request_body import RequestBodyError, read_body
from storage.errors import UserError

log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024
MAX_QUERY = 2048
HEADERS = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]


def is_api_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class ApiApp:
    """The WSGI application of /api/v1 (one per web process: it holds the per-token rate limits)."""

    def __init__(self, deps) -> None:
        self.deps = deps
        self.limiter = rate_limiter(deps)

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET").upper(), environ.get("PATH_INFO", "")
        found, params, allowed = match(method, path)
        if found is None:
            problem = ApiProblem(405, f"{path} does not answer {method}; it answers {', '.join(allowed)}.",
                                 headers=(("Allow", ", ".join(allowed)),)) if allowed else \
                ApiProblem(404, f"There is no {path}; the routes are listed in {PREFIX}/openapi.json.")
            return _send(start_response, problem.status, problem.to_json(), problem.headers, problem=True)
        caller = key = None
        try:
            if found.scope is not None:
                caller = authenticate(environ, self.deps)
                self.limiter.check(caller.token_id, self.deps.jobs.now())
                require_scope(caller, found.scope)
            raw = read_body(environ, MAX_BODY) if method in ("POST", "PATCH", "PUT") else b""
            if method == "POST" and caller is not None and (wanted := idempotency_key(environ)) is not None:
                replay = claim(self.deps, caller, wanted, request_hash(method, path, environ.get("QUERY_STRING", ""),
                                                                       raw))
                key = wanted if replay is None else None  # only the request that took the key stores its answer
                if replay is not None:
                    return _send(start_response, replay.status, replay.payload, (("Idempotent-Replayed", "true"),),
                                 problem=replay.status >= 400)
            request = ApiRequest(self.deps, caller, params, _query(found, environ), _body(found, raw), environ)
            answer = found.handler(request)
        except Exception as error:
            problem = _problem_of(error, found, method, path)
            payload = problem.to_json(**({"error": problem.detail} if found.error_member else {}),
                                      **getattr(problem, "extra", {}))
            if key is not None:
                remember(self.deps, caller, key, problem.status, payload)
            return _send(start_response, problem.status, payload, problem.headers, problem=True)
        if answer.stream is not None:
            start_response(_status_line(answer.status), list(answer.headers))
            if method == "HEAD":
                getattr(answer.stream, "close", lambda: None)()
                return [b""]
            return answer.stream
        payload = answer.payload.model_dump(mode="json") if isinstance(answer.payload, BaseModel) else answer.payload
        if key is not None:
            remember(self.deps, caller, key, answer.status, payload)
        return _send(start_response, answer.status, payload, answer.headers)


def _query(found: Route, environ) -> BaseModel | None:
    if found.query is None:
        return None
    text = environ.get("QUERY_STRING", "")
    if len(text) > MAX_QUERY:
        raise ApiProblem(414, f"Keep the query string under {MAX_QUERY} characters.")
    return found.query.model_validate(dict(parse_qsl(text)))


def _body(found: Route, raw: bytes) -> BaseModel | None:
    if found.body is None or (found.body_optional and not raw.strip()):
        return None
    return found.body.model_validate_json(raw)


def _problem_of(error: Exception, found: Route, method: str, path: str) -> ApiProblem:
    """The problem an exception is answered with (the route's own status for fields that do not fit)."""
    if isinstance(error, RequestBodyError):
        problem = ApiProblem(error.status, f"Send a JSON body of at most {MAX_BODY} bytes." if error.status == 413
                             else str(error))
    elif isinstance(error, ValidationError):
        problem = from_validation_error(error, invalid_status=found.invalid_status)
    elif isinstance(error, UserError):
        problem = from_user_error(error)
    else:
        error_id = uuid.uuid4().hex[:12]
        log.exception("API: unexpected error %s answering %s %s", error_id, method, path)
        problem = ApiProblem(500, f"Something went wrong on our side (error {error_id}); it has been logged.")
        problem.extra = {"error_id": error_id}
    if problem.status == 422 and found.invalid_status != 422:
        problem.status = found.invalid_status
    return problem


def _status_line(status: int) -> str:
    return f"{status} {HTTPStatus(status).phrase}"


def _send(start_response, status: int, payload: dict | None, headers=(), *, problem: bool = False) -> list[bytes]:
    if status == 204 or payload is None:
        start_response(_status_line(status), [*HEADERS, *headers])
        return [b""]
    data = json.dumps(payload, ensure_ascii=False).encode()
    kind = PROBLEM_TYPE if problem else "application/json"
    start_response(_status_line(status), [("Content-Type", kind), ("Content-Length", str(len(data))), *HEADERS,
                                          *headers])
    return [data]
