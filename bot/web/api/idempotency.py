"""Idempotency keys on POST: the same key and request replay the first answer for 24 hours; the same
key with another request is refused (422); a key whose first request is still being answered, 409.
Only the request that took a key stores its answer; webhook signing secrets in it are kept sealed, as
the destination's own copy is (storage.sealed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot.web.api.problems import ApiProblem
from bot.web.api.routes import Caller
from storage.filestore.errors import UnreadableArtifact
from storage.sealed import seal, unseal
from storage.tokens import claim_idempotency_key, store_idempotent_response

MAX_KEY = 200


@dataclass(frozen=True)
class Replay:
    status: int
    payload: dict | None


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), query.encode(), body])).hexdigest()


def idempotency_key(environ) -> str | None:
    key = environ.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiProblem(400, f"An Idempotency-Key is 1 to {MAX_KEY} printable characters (a UUID is ideal).")
    return key


def claim(deps, caller: Caller, key: str, digest: str) -> Replay | None:
    """Take the key (None: answer the request), or the stored answer to replay."""
    with deps.jobs.database.session() as session:
        first = claim_idempotency_key(session, caller.token_id, key, digest)
        if first is None:
            return None
        if first.request_sha256 != digest:
            raise ApiProblem(422, "This Idempotency-Key was used for another request; use a new key for a new "
                                  "request.")
        if first.status == 0:
            raise ApiProblem(409, "The first request with this Idempotency-Key is still being answered; ask again "
                                  "in a moment.", headers=(("Retry-After", "1"),))
        try:
            payload = _secrets(first.response, lambda secret: unseal(
                deps.jobs.artifacts.keyring, secret, what="a webhook signing secret of an earlier answer"))
        except UnreadableArtifact:
            raise ApiProblem(410, "The first answer to this request showed a webhook signing secret that can no "
                                  "longer be read here (the encryption keys changed). The request itself was done: "
                                  "read the result with GET, and remove and add the webhook again for a new "
                                  "secret.") from None
        return Replay(first.status, payload)


def remember(deps, caller: Caller, key: str, status: int, payload: dict | None) -> None:
    """Keep the answer for replays (not a server error's: trying again should be able to succeed)."""
    with deps.jobs.database.session() as session:
        store_idempotent_response(session, caller.token_id, key, 0 if status >= 500 else status,
                                  _secrets(payload, lambda secret: seal(deps.jobs.artifacts.keyring, secret)))


def _secrets(payload: dict | None, change) -> dict | None:
    """The answer with each webhook signing secret in it passed through `change` (seal or unseal)."""
    if not payload or not payload.get("webhook_secrets"):
        return payload
    return {**payload, "webhook_secrets": [{**shown, "secret": change(shown["secret"])}
                                           for shown in payload["webhook_secrets"]]}
