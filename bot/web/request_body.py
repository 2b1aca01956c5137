"""Read an HTTP request body within a byte limit, before anything parses it.

Every route that takes a body reads it here: the declared length is checked before a byte is read,
and a body without one (chunked) is read to one byte past the limit, so an oversized request costs
at most `limit + 1` bytes of memory whatever it claims.
"""

from __future__ import annotations

import re

from storage.errors import BadInput

# Slack's largest payloads (a modal's full view and state, form-encoded) stay far below this.
MAX_SLACK_BODY = 1024 * 1024
_READ_CHUNK = 64 * 1024
_LENGTH = re.compile(r"[0-9]{1,18}")


class RequestBodyError(BadInput):
    """The body is larger than the route accepts (413) or its length is malformed (400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_body(environ: dict, limit: int) -> bytes:
    """Return the request's body, never reading more than `limit` + 1 bytes of it."""
    declared = (environ.get("CONTENT_LENGTH") or "").strip()
    stream = environ.get("wsgi.input")
    if declared:
        if not _LENGTH.fullmatch(declared):
            raise RequestBodyError(400, "Content-Length is not a number.")
        length = int(declared)
        if length > limit:
            raise RequestBodyError(413, f"The body is larger than {limit} bytes.")
        data = _read_up_to(stream, length)
        if len(data) < length:
            raise RequestBodyError(400, "The body is shorter than its Content-Length.")
        return data
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() or environ.get("wsgi.input_terminated"):
        data = _read_up_to(stream, limit + 1)
        if len(data) > limit:
            raise RequestBodyError(413, f"The body is larger than {limit} bytes.")
        return data
    return b""  # no length and not chunked: WSGI says there is no body to read


def _read_up_to(stream, size: int) -> bytes:
    """Read until `size` bytes or the end of the stream (a read may return less than asked)."""
    if stream is None or size <= 0:
        return b""
    parts, remaining = [], size
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
