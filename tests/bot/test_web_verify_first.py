"""The web process reads a bounded body and checks Slack's signature over its raw bytes before
anything parses it; a refused request leaves no body and no signature in the log."""

from __future__ import annotations

import http.client
import io
import logging
import socket
import time

import pytest

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.request_body import MAX_SLACK_BODY
from bot.web.server import ServerThread, build_wsgi
from slack_emulator import SlackRequestSigner
from tests.conftest import SIGNING_SECRET
from tests.support.people import ALICE, SALES

MARKER = "leaked-body-marker-7f3a"  # text that must never reach the log


class CountingInput(io.RawIOBase):
    """A request body of `size` bytes, made up as it is read, that counts what was read."""

    def __init__(self, size: int) -> None:
        self.size, self.served = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.served if n is None or n < 0 else min(n, self.size - self.served)
        self.served += n
        return b"x" * n


@pytest.fixture
def wsgi(job_context, emulator, recording_enqueue):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0)
    deps = BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings)
    return build_wsgi(create_app(deps), job_context.database, deps)


def call(wsgi, body: bytes | io.RawIOBase, headers: dict | None = None, *, length: str | None = "auto",
         path: str = "/slack/events") -> tuple[int, bytes]:
    stream = body if isinstance(body, io.RawIOBase) else io.BytesIO(body)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "203.0.113.9", "wsgi.input": stream, "CONTENT_TYPE": "application/x-www-form-urlencoded"}
    if length == "auto":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif length is not None:
        environ["CONTENT_LENGTH"] = length
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []
    output = b"".join(wsgi(environ, lambda s, h, exc_info=None: status.append(s)))
    return int(status[0].split()[0]), output


def slash(text: str, timestamp=None) -> tuple[bytes, dict]:
    body, headers = SlackRequestSigner(SIGNING_SECRET).slash_command(text, user_id=ALICE,
                                                                     channel_id=SALES, timestamp=timestamp)
    headers.pop("Content-Type")
    return body.encode(), headers


def test_a_declared_length_above_the_cap_is_refused_unread(wsgi):
    body = CountingInput(200 * 1024 * 1024)
    status, _ = call(wsgi, body, length=str(body.size))
    assert status == 413 and body.served == 0


def test_a_chunked_body_is_read_only_to_one_byte_past_the_cap(wsgi):
    body = CountingInput(200 * 1024 * 1024)
    status, _ = call(wsgi, body, {"Transfer-Encoding": "chunked"}, length=None)
    assert status == 413 and body.served == MAX_SLACK_BODY + 1


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", "١٢"])
def test_a_malformed_length_is_a_clear_400(wsgi, length):
    assert call(wsgi, b"x", length=length)[0] == 400


def test_a_signed_request_still_reaches_the_app(wsgi):
    body, headers = slash("help")
    assert call(wsgi, body, headers)[0] == 200


@pytest.mark.parametrize(("tamper", "reason"), [
    (lambda h: {}, "no Slack signature"),
    (lambda h: {**h, "X-Slack-Signature": "v0=" + "0" * 64}, "the signature does not match"),
    (lambda h: {**h, "X-Slack-Request-Timestamp": "soon"}, "timestamp is not a number"),
    (lambda h: {**h, "X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠"}, "timestamp is not a number"),
])
def test_unsigned_or_forged_requests_are_401_and_their_body_is_not_logged(wsgi, caplog, tamper, reason):
    body, headers = slash(f"show {MARKER}")
    caplog.set_level(logging.DEBUG)
    status, answer = call(wsgi, body, tamper(headers))
    assert status == 401 and MARKER.encode() not in answer
    assert any(reason in r.getMessage() and "203.0.113.9" in r.getMessage() for r in caplog.records)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert MARKER not in logged and headers["X-Slack-Signature"] not in logged


def test_a_replayed_request_is_refused_after_five_minutes(wsgi, caplog):
    body, headers = slash(f"show {MARKER}", timestamp=int(time.time()) - 6 * 60)
    caplog.set_level(logging.DEBUG)
    assert call(wsgi, body, headers)[0] == 401
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "more than 5 minutes away" in logged and MARKER not in logged


def test_bolts_own_refusal_line_never_carries_the_body(wsgi, caplog):
    """Bolt checks the signature again; if it ever refuses one we passed, its log line is dropped."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("slack_bolt.RequestVerification").info(
        f"Invalid request signature detected (signature: v0=abc, timestamp: 1, body: {MARKER})")
    assert MARKER not in caplog.text


def test_socket_mode_serves_no_slack_route(job_context, recording_enqueue):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=None, app_token="xapp-test-1", port=0)
    deps = BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings)
    wsgi = build_wsgi(None, job_context.database, deps)
    body, headers = slash("help")
    assert call(wsgi, body, headers)[0] == 404


def _chunked_past_the_cap(port: int) -> bytes:
    """Send a chunked body one chunk past the cap, then stop and read the answer (bytes written after the
    server has answered and closed would make it reset the connection, losing the answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = 65536
        for _ in range(MAX_SLACK_BODY // chunk + 1):
            sock.sendall(b"%x\r\n" % chunk + b"y" * chunk + b"\r\n")
        return sock.recv(4096)


def test_the_real_server_refuses_a_200_mib_body_without_taking_it_in(wsgi):
    server = ServerThread(wsgi)
    server.start()
    try:
        port = server.server.effective_port
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Length", str(200 * 1024 * 1024))
        connection.endheaders()
        try:
            connection.send(b"x" * 65536)  # the server answers after the headers; the rest is never sent
        except OSError:
            pass
        assert connection.getresponse().status == 413
        connection.close()
        assert _chunked_past_the_cap(port).startswith(b"HTTP/1.1 413")  # no declared length
        at_cap = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        at_cap.request("POST", "/slack/events", body=b"z" * MAX_SLACK_BODY)
        assert at_cap.getresponse().status == 401  # as large as Slack may send: read, then refused unsigned
        at_cap.close()
        health = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        health.request("GET", "/healthz")
        assert health.getresponse().read() == b"ok"
    finally:
        server.stop()
