"""HTTP mode: a WSGI app serving `/slack/events`, `/healthz` and `/readyz` under waitress."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from sqlalchemy import text

from bot.web import downloads
from bot.web.trigger_api import PATH as TRIGGER_PATH
from bot.web.trigger_api import handle_trigger
from jobs.context import get_context
from jobs.metrics import render_metrics
from storage.db import Database

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def bolt_request(raw_body: str, query: str, headers: dict) -> BoltRequest:
    """Build the BoltRequest, fixing Bolt's reading of slash commands whose text contains "payload".

    Bolt treats any form body containing the substring "payload" as an interactivity payload, so
    `/report show payload` would parse to {} and be dropped. A slash command has a `command` field
    and no `payload` field; read it as the plain form it is.
    """
    request = BoltRequest(body=raw_body, query=query, headers=headers)
    if not request.body and raw_body and not raw_body.lstrip().startswith("{"):
        fields = dict(parse_qsl(raw_body, keep_blank_values=True))
        if "command" in fields and "payload" not in fields:
            request.body = fields
            request.context = build_context(BoltContext({}), fields)
    return request


class _Handler(SlackRequestHandler):
    def dispatch(self, request) -> BoltResponse:
        try:
            bolt = bolt_request(request.get_body(), request.query_string, request.get_headers())
        except (ValueError, json.JSONDecodeError):
            return _malformed()
        try:
            return self.app.dispatch(bolt)
        except (TypeError, AttributeError, KeyError) as exc:
            # A well-formed body of the wrong shape (an event_callback whose "event" is null) breaks
            # Bolt's own error handler; answer 400 rather than a 500 with a traceback.
            log.warning("malformed Slack request body: %s", type(exc).__name__)
            return _malformed()


def _malformed() -> BoltResponse:
    return BoltResponse(status=400, body='{"error": "malformed request body"}',
                        headers={"content-type": "application/json"})


def build_wsgi(app: App, database: Database, deps=None) -> Callable:
    """Return the WSGI application: Slack's endpoint, health checks, metrics, (with `deps`) the
    trigger API, and the download and unsubscribe links of report emails (bot.web.downloads)."""
    slack = _Handler(app, path=EVENTS_PATH)

    def wsgi(environ, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if path == "/metrics":
            body = render_metrics()
            start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        if path == "/readyz":
            try:
                with database.engine.connect() as conn:
                    conn.execute(text("select 1"))
            except Exception as exc:  # report, don't crash: the load balancer asks again
                return _plain(start_response, "503 Service Unavailable", f"database unavailable: {type(exc).__name__}")
            return _plain(start_response, "200 OK", "ready")
        if path.startswith((downloads.FILES, downloads.UNSUBSCRIBE)):  # links in report emails
            return downloads.serve(environ, start_response, lambda: deps.jobs if deps is not None else get_context())
        if path == TRIGGER_PATH and deps is not None:
            status, payload = handle_trigger(environ, deps)
            return _json(start_response, status, payload)
        return slack(environ, start_response)

    return wsgi


def _json(start_response, status: int, payload: dict) -> list[bytes]:
    data = json.dumps(payload).encode()
    reason = HTTPStatus(status).phrase
    start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def _plain(start_response, status: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]


def make_server(wsgi: Callable, host: str, port: int):
    """A waitress server (production-grade, pure Python); `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    return create_server(wsgi, host=host, port=port, threads=8, ident="reportbot")


class ServerThread(threading.Thread):
    """Serve in a background thread (demo, tests); `stop()` closes the server and waits."""

    def __init__(self, wsgi: Callable, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(name="reportbot-http", daemon=True)
        self.server = make_server(wsgi, host, port)
        self._closing = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}{EVENTS_PATH}"

    def run(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self._closing:  # closing the sockets under the poll loop ends it this way
                raise

    def stop(self) -> None:
        self._closing = True
        # Close from inside the poll loop (woken by waitress's trigger pipe): closing from here
        # would leave the loop asleep until its one-second poll timeout.
        try:
            self.server.trigger.pull_trigger(self.server.close)
        except OSError:
            self.server.close()
        self.join(timeout=5)
