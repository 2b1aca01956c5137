"""The web process's routes for links in report emails.

    GET  /files/<token>        the file, if the signed link is genuine and not expired (404 / 410)
    GET  /unsubscribe/<token>  a page with a button (link scanners fetch GETs: they must not act)
    POST /unsubscribe/<token>  remove the address from the schedule (RFC 8058 one-click, or the button)

These requests come from email readers, not from Slack, so they carry no Slack signature: the
token's HMAC (jobs.links) is what authenticates them. Tokens never appear in logs, and every
download is recorded in the audit log with who it was sent to.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus

from bot.web.client_address import client_address
from bot.web.request_body import RequestBodyError, read_body
from jobs.context import JobContext
from jobs.delivery.plan import safe_name
from jobs.links import BadLink, ExpiredLink, read_download_token, read_unsubscribe_token
from storage import email as email_repo
from storage.audit import record
from storage.filestore import ArtifactMissing, FileStoreError
from storage.models import Artifact, Delivery, Run, Schedule

log = logging.getLogger(__name__)

FILES = "/files/"
UNSUBSCRIBE = "/unsubscribe/"
MAX_FORM_BYTES = 1024
CHUNK = 256 * 1024
UNREADABLE = object()
SAFE_HEADERS = [("Cache-Control", "private, no-store"), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer")]


def serve(environ, start_response, context: Callable[[], JobContext], *,
          trusted_proxies: Sequence[str] = ()) -> Iterable[bytes] | None:
    """Answer a request for one of these routes; None when the path is not one of them.

    `trusted_proxies` are the proxies whose X-Forwarded-For names the client in the audit log.
    """
    path = environ.get("PATH_INFO", "")
    who = _client(environ, trusted_proxies)
    if path.startswith(FILES):
        return _download(environ, start_response, context(), path[len(FILES):], who)
    if path.startswith(UNSUBSCRIBE):
        return _unsubscribe(environ, start_response, context(), path[len(UNSUBSCRIBE):], who)
    return None


def _page(start_response, status: str, title: str, body: str, *, form_action: str | None = None) -> list[bytes]:
    button = (f'<form method="post" action="{html.escape(form_action)}"><button type="submit">Unsubscribe'
              f'</button></form>' if form_action else "")
    data = (f"<!doctype html><html><head><meta charset='utf-8'><meta name='robots' content='noindex'>"
            f"<title>{html.escape(title)}</title></head><body style='font-family: sans-serif; max-width: 40em; "
            f"margin: 3em auto;'><h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>{button}"
            "</body></html>").encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))),
                            *SAFE_HEADERS])
    return [data]


def _client(environ, trusted_proxies: Sequence[str]) -> dict:
    """Who asked, for the audit log: their address (proxy headers only from trusted proxies), their reader."""
    return {"ip": client_address(environ, trusted_proxies), "user_agent": environ.get("HTTP_USER_AGENT", "")[:200]}


def _download(environ, start_response, ctx: JobContext, token: str, who: dict) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        return _page(start_response, "405 Method Not Allowed", "Not allowed", "Download links only answer GET.")
    try:
        claim = read_download_token(ctx.links, token, now=ctx.now())
    except ExpiredLink:
        return _page(start_response, "410 Gone", "This link has expired",
                     "Download links in report emails expire. Ask the report's owner to send it again.")
    except BadLink as exc:
        log.info("download refused: %s", exc)
        return _page(start_response, "404 Not Found", "Not found", "This download link is not valid.")
    with ctx.database.session() as session:
        artifact = session.get(Artifact, claim.artifact_id)
        delivery = session.get(Delivery, claim.delivery_id)
        if artifact is None or delivery is None or delivery.run_id != artifact.run_id:
            gone = None
        else:
            run = session.get(Run, artifact.run_id)
            schedule = session.get(Schedule, run.schedule_id)
            handle = open_artifact(ctx, artifact.storage_key)
            gone = handle if handle in (None, UNREADABLE) else (handle, artifact.filename, artifact.content_type,
                                                                artifact.size)
            if isinstance(gone, tuple) and method == "GET":
                record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor="email", action="download",
                       surface="link", details={"run_id": run.id, "artifact_id": artifact.id, "file": artifact.filename,
                                                "delivery_id": delivery.id,
                                                "recipient": safe_name(delivery.destination), **who})
    if gone is None:
        return _page(start_response, "410 Gone", "No longer available",
                     "This file has been removed (reports are kept for a limited time).")
    if gone is UNREADABLE:
        return _page(start_response, "503 Service Unavailable", "Not available right now",
                     "This file cannot be read at the moment. Try again later, or ask the report's owner.")
    handle, filename, content_type, size = gone
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(size)),
                              ("Content-Disposition", f'attachment; filename="{ascii_name}"'), *SAFE_HEADERS])
    if method == "HEAD":
        handle.close()
        return [b""]
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is not None:  # waitress reads it in CHUNK-sized pieces (or sends a local file as is)
        return wrapper(handle, CHUNK)
    return chunks(handle)


def open_artifact(ctx: JobContext, key: str):
    """A stream of the stored file (S3 or local, decrypted), None when it is gone, UNREADABLE when the
    store is down or the file does not decrypt (the details go to the log, not to the reader)."""
    try:
        return ctx.artifacts.open_for_read(key)
    except (ArtifactMissing, ValueError):
        return None
    except FileStoreError as exc:
        log.warning("download of %s failed: %s", key, exc)
        return UNREADABLE


def chunks(handle) -> Iterable[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _unsubscribe(environ, start_response, ctx: JobContext, token: str, who: dict) -> Iterable[bytes]:
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        claim = read_unsubscribe_token(ctx.links, token)
    except BadLink as exc:
        log.info("unsubscribe refused: %s", exc)
        return _page(start_response, "404 Not Found", "Not found", "This unsubscribe link is not valid.")
    if method == "POST":  # read only now that the link is known to be genuine, and only a little
        try:
            body = read_body(environ, MAX_FORM_BYTES)
        except RequestBodyError as exc:
            return _page(start_response, f"{exc.status} {HTTPStatus(exc.status).phrase}", "Not accepted",
                         "Use the unsubscribe button on the page this link opens.")
    with ctx.database.session() as session:
        schedule = session.get(Schedule, claim.schedule_id)
        name = schedule.name if schedule is not None else None
        if method == "GET":
            pass
        elif method == "POST":
            removed = email_repo.remove_address(session, claim.schedule_id, claim.address_hash) if schedule else []
            if schedule is not None:
                record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor="email",
                       action="unsubscribe", surface="link",
                       details={"removed": removed, "one_click": body.strip() == b"List-Unsubscribe=One-Click",
                                **who})
        else:
            return _page(start_response, "405 Method Not Allowed", "Not allowed", "Use the unsubscribe button.")
    if name is None:
        return _page(start_response, "200 OK", "Unsubscribed", "This report no longer exists; you will not get it.")
    if method == "GET":
        return _page(start_response, "200 OK", "Unsubscribe",
                     f"Stop receiving the scheduled report “{name}” by email?", form_action=environ.get("PATH_INFO"))
    return _page(start_response, "200 OK", "Unsubscribed",
                 f"You will no longer receive “{name}” by email.")

