"""HTTP front end: routing, body decoding and response writing on 127.0.0.1."""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from slack_emulator.faults import RESPONSE_URL_ENDPOINT, UPLOAD_ENDPOINT
from slack_emulator.methods.files import receive_upload
from slack_emulator.pipeline import handle_api_call

if TYPE_CHECKING:
    from slack_emulator.emulator import SlackEmulator

logger = logging.getLogger(__name__)

# Form bodies carry these as JSON strings; JSON bodies carry real arrays/objects.
JSON_STRING_FIELDS = ("blocks", "view", "files", "attachments", "metadata")
MAX_BODY_BYTES = 1_100_000_000  # Slack's per-file limit is 1 GB
_TOKEN_IN_QUERY = re.compile(r"((?:^|[?&\s])token=)[^&\s]+")


def _multipart_fields(body: bytes, content_type: str) -> dict[str, Any]:
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        fields[name] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


def decode_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Merge query-string and body parameters, decoding JSON-string fields."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";")[0].strip().lower()
    if body:
        if media_type == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            params.update(data)
        elif media_type == "multipart/form-data":
            params.update(_multipart_fields(body, content_type))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in JSON_STRING_FIELDS:
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            try:
                params[key] = json.loads(value)
            except ValueError:
                pass  # handlers report the undecodable string with the right error code
    return params


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SlackEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines go to debug logging, never straight to stderr, and never with a token.
        logger.debug("%s %s", self.address_string(), _TOKEN_IN_QUERY.sub(r"\1<redacted>", format % args))

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _route(self, verb: str) -> None:
        emu = self.server.emu
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        try:
            body = self._body()
        except ValueError:
            self._send(413, b"payload too large", "text/plain")
            return
        if len(parts) == 2 and parts[0] == "api":
            self._api(parts[1], url.query, body)
        elif len(parts) == 3 and parts[:2] == ["upload", "v1"] and verb == "POST":
            self._text(*self._faulted(UPLOAD_ENDPOINT) or receive_upload(
                emu, parts[2], body, self.headers.get("Content-Type", "")))
        elif len(parts) == 2 and parts[0] == "response" and verb == "POST":
            self._text(*self._faulted(RESPONSE_URL_ENDPOINT) or emu.receive_response(parts[1], body))
        elif len(parts) >= 2 and parts[0] == "files" and verb == "GET":
            self._file(parts[1])
        else:
            self._json(404, {"ok": False, "error": "not_found"})

    def _faulted(self, endpoint: str) -> tuple[int, str, dict[str, str]] | None:
        fault = self.server.emu.faults.take(endpoint)
        if fault is None:
            return None
        status, body, headers = fault.response()  # a 429 or 5xx keeps its Retry-After
        return (status if status != 200 else 500), body["error"], headers

    def _api(self, method: str, query: str, body: bytes) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            params = decode_params(query, body, self.headers.get("Content-Type", ""))
        except (ValueError, UnicodeDecodeError):
            self._json(200, {"ok": False, "error": "invalid_arguments",
                             "response_metadata": {"messages": ["[ERROR] request body could not be decoded"]}})
            return
        status, payload, extra = handle_api_call(self.server.emu, method, params, headers)
        self._json(status, payload, extra)

    def _file(self, file_id: str) -> None:
        token = self.headers.get("Authorization", "").partition(" ")[2].strip()
        content = self.server.emu.file_content(file_id, token)
        if content is None:
            self._send(404, b"file not found", "text/plain")
        else:
            self._send(200, content, "application/octet-stream")

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8", headers)

    def _text(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The stdlib default backlog of 5 drops bursts of parallel connects (1 s SYN retry).
    request_queue_size = 128

    def __init__(self, emu: SlackEmulator, port: int) -> None:
        self.emu = emu
        super().__init__(("127.0.0.1", port), _Handler)


class EmulatorServer:
    """Run the HTTP server in a daemon thread."""

    def __init__(self, emu: SlackEmulator, port: int = 0) -> None:
        self._server = _Server(emu, port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="slack-emulator", daemon=True)

    @property
    def port(self) -> int:
        """Return the bound port."""
        return self._server.server_address[1]

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
