"""Helpers for the REST API tests: the real app on loopback, tokens, and requests as a client makes them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

import jsonschema

from bot.web.api.openapi import document
from storage.tokens import create_token
from tests.factories import TEAM


@dataclass
class Reply:
    status: int
    headers: object  # email.message.Message: names match whatever their case
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Api:
    base: str  # http://127.0.0.1:port/api/v1

    def call(self, method: str, path: str, body=None, *, token: str | None = None,
             headers: dict | None = None) -> Reply:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.headers, error.read())


def token_for(database, *, scopes=("read", "write", "run"), acting_as: str | None = None, team_id: str = TEAM) -> str:
    with database.session() as s:
        return create_token(s, team_id, "tests", scopes=scopes, acting_user_id=acting_as)


def conforms(reply: Reply, model: str) -> dict:
    """The body, checked against the OpenAPI document's schema of `model`."""
    doc = document()
    schema = {"$ref": f"#/components/schemas/{model}", "components": doc["components"]}
    jsonschema.validate(reply.json, schema, cls=jsonschema.Draft202012Validator)
    return reply.json


def problem(reply: Reply, status: int) -> dict:
    """The reply is an RFC 9457 problem with `status`."""
    assert reply.status == status, (reply.status, reply.body[:500])
    assert reply.headers["Content-Type"] == "application/problem+json"
    body = conforms(reply, "Problem")
    assert body["status"] == status and body["detail"]
    return body
