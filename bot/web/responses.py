"""Small WSGI responses shared by the web routes: JSON and plain text with their lengths."""

from __future__ import annotations

import json
from http import HTTPStatus


def json_response(start_response, status: int, payload: dict) -> list[bytes]:
    """Answer `status` with `payload` as JSON."""
    data = json.dumps(payload).encode()
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def plain_response(start_response, status: int, body: str) -> list[bytes]:
    """Answer `status` with `body` as plain UTF-8 text."""
    data = body.encode()
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]
