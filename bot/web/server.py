"""The web process: Slack's routes (HTTP mode), health checks, metrics, the REST API (/api/v1) and
the links in report emails, under waitress. Socket Mode serves the same minus Slack's routes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from slack_bolt import App
from sqlalchemy import text

from bot.web import downloads
from bot.web.api.app import ApiApp, is_api_path
from bot.web.request_body import MAX_SLACK_BODY
from bot.web.responses import plain_response
from bot.web.slack_events import EVENTS_PATH, SlackEvents
from jobs.context import get_context
from jobs.metrics import render_metrics
from storage.db import Database


def build_wsgi(app: App | None, database: Database, deps=None) -> Callable:
    """Return the WSGI application: health checks, metrics, (with `deps`) the REST API, the download
    and unsubscribe links of report emails (bot.web.downloads), and, given an `app`, Slack's routes.

    `app` is None in Socket Mode: Slack's events come over the socket, not through this server.
    With an `app`, `deps.settings` holds the signing secret every request to it is verified with.
    """
    settings = deps.settings if deps is not None else None
    proxies = settings.trusted_proxies if settings is not None else ()
    slack = None
    api = ApiApp(deps) if deps is not None else None
    if app is not None:
        slack = SlackEvents(app, settings.signing_secret if settings is not None else None, trusted_proxies=proxies)

    def wsgi(environ, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return plain_response(start_response, 200, "ok")
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
                return plain_response(start_response, 503, f"database unavailable: {type(exc).__name__}")
            return plain_response(start_response, 200, "ready")
        if path.startswith((downloads.FILES, downloads.UNSUBSCRIBE)):  # links in report emails
            return downloads.serve(environ, start_response, lambda: deps.jobs if deps is not None else get_context(),
                                   trusted_proxies=proxies)
        if api is not None and is_api_path(path):
            return api(environ, start_response)
        if slack is not None:
            return slack(environ, start_response)
        return plain_response(start_response, 404, "Not Found")

    return wsgi


def make_server(wsgi: Callable, host: str, port: int):
    """A waitress server (production-grade, pure Python); `.run()` serves, `.close()` stops."""
    from waitress.server import create_server

    # No route takes a body larger than Slack's: waitress answers 413 itself before buffering more
    # (its limit counts from "reaches", ours from "exceeds": hence the + 1).
    # Proxy headers reach the app untouched: bot.web.client_address alone decides whom to believe
    # (REPORTBOT_TRUSTED_PROXIES takes networks; waitress's own setting takes one host).
    return create_server(wsgi, host=host, port=port, threads=8, ident="reportbot",
                         max_request_body_size=MAX_SLACK_BODY + 1, clear_untrusted_proxy_headers=False)


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
