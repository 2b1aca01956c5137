"""The OpenAPI 3.1 document, made from the route table and the pydantic models the handlers use
(nothing here is written beside them by hand), served without a token."""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus

from pydantic.json_schema import models_json_schema

from bot.web.api.models import Problem
from bot.web.api.problems import PROBLEM_TYPE
from bot.web.api.routes import PREFIX, ROUTES, Answer, Request, Route, route

REF = "#/components/schemas/{model}"


def _models(routes: list[Route]) -> list:
    found = {Problem}
    for r in routes:
        found.update(m for m in (r.body, r.response, r.query) if m is not None)
    return sorted(found, key=lambda m: m.__name__)


def _parameters(r: Route, schemas: dict) -> list[dict]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
              for name in r.path_params]
    if r.query is not None:
        schema = r.query.model_json_schema(ref_template=REF, mode="validation")
        for name, prop in schema["properties"].items():
            params.append({"name": name, "in": "query", "required": name in schema.get("required", ()),
                           "schema": prop})
    return params


def _dispatcher_errors(r: Route) -> set[int]:
    """What the dispatcher (app.py) may answer on any route of this kind, whatever its handler does."""
    found = {500}
    if r.scope is not None:
        found |= {401, 403, 429, 503}  # no live token, a missing scope, the per-token rate, Slack not answering
    if r.method in ("POST", "PATCH", "PUT"):
        found |= {400, 413}  # the body is read (to its cap) before anything else
    if r.method == "POST":
        # an Idempotency-Key still being answered, used for another request, or whose answer showed a
        # webhook secret no configured key opens any more
        found |= {409, 410, 422}
    if r.query is not None:
        found |= {414, 422}  # the query string's cap, its fields
    return found


def _operation(r: Route, schemas: dict) -> dict:
    ok: dict = {"description": HTTPStatus(r.status).phrase}
    if r.response is not None:
        ok["content"] = {r.content_type: {"schema": {"$ref": REF.format(model=r.response.__name__)}}}
    elif r.content_type != "application/json":
        ok["content"] = {r.content_type: {"schema": {"type": "string", "contentMediaType": r.content_type}}}
    elif r.status != 204:
        ok["content"] = {"application/json": {"schema": {"type": "object"}}}
    responses = {str(r.status): ok}
    for status in sorted(set(r.errors) | _dispatcher_errors(r)):
        responses[str(status)] = {"description": HTTPStatus(status).phrase,
                                  "content": {PROBLEM_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}}}
    operation = {"operationId": r.operation_id, "summary": r.summary, "responses": responses,
                 "parameters": _parameters(r, schemas)}
    if r.scope is not None:
        operation["security"] = [{"token": []}]
        operation["x-scope"] = r.scope
        operation["description"] = f"Needs a token with the `{r.scope}` scope."
    else:
        operation["security"] = []
    if r.body is not None:
        operation["requestBody"] = {"required": not r.body_optional,
                                    "content": {"application/json": {"schema": {"$ref": REF.format(
                                        model=r.body.__name__)}}}}
    if r.method == "POST":
        operation["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                        "schema": {"type": "string", "maxLength": 200},
                                        "description": "Repeat a POST safely for 24 hours: the same key and "
                                                       "body replay the first answer."})
    return operation


@lru_cache(maxsize=1)
def document() -> dict:
    """The whole document (made once: the route table is complete once the handler modules are imported)."""
    _, defs = models_json_schema([(m, "validation") for m in _models(ROUTES)], ref_template=REF)
    schemas = defs.get("$defs", {})
    paths: dict = {}
    for r in ROUTES:
        paths.setdefault(r.path.removeprefix(PREFIX), {})[r.method.lower()] = _operation(r, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "reportbot", "version": "1",
                 "description": "Schedules, runs and files of one Slack workspace. A token carries a person's "
                                "permissions (or a workspace admin's) and scopes `read`, `write`, `run`. Errors "
                                "are RFC 9457 problem details."},
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "`reportbot token create <team id> --scopes …`"
                                                                    " or `/report admin token create …`"}}},
    }


@route("GET", "/openapi.json", summary="This document", scope=None)
def openapi_document(request: Request) -> Answer:
    return Answer(200, document())
