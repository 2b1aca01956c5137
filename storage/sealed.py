"""Small secrets kept in the database (webhook signing secrets), sealed with the artifact keyring.

The worker must read a webhook's secret back to sign with it, so it cannot be stored hashed. When
ARTIFACT_ENCRYPTION_KEYS is set it is encrypted with the same keys and the same authenticated format
as stored files (storage.filestore.crypto): the first key seals, every listed key opens, so a key
rotation keeps old secrets readable until `rekey` has re-sealed them. Without keys it is kept as it is,
marked so; turning keys on later seals it at the next `rekey`.

    sealed = "rbs1:" + base64url(crypto stream)     encrypted
           | "plain:" + secret                      no keys configured
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.filestore.crypto import HEADER, DecryptingReader, EncryptingWriter, Keyring
from storage.filestore.errors import UnreadableArtifact
from storage.models import Destination
from storage.models.tokens import ApiIdempotencyKey

ENCRYPTED = "rbs1:"
PLAIN = "plain:"


def seal(keyring: Keyring | None, secret: str) -> str:
    """The form a secret is stored in: encrypted under the keyring's first key, when there is one."""
    if keyring is None:
        return PLAIN + secret
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, keyring)
    writer.write(secret.encode())
    writer.finish()
    return ENCRYPTED + base64.urlsafe_b64encode(sink.getvalue()).decode()


def unseal(keyring: Keyring | None, sealed: str, *, what: str = "a stored secret") -> str:
    """The secret again; UnreadableArtifact (saying which key is missing) when it cannot be opened."""
    if sealed.startswith(PLAIN):
        return sealed[len(PLAIN):]
    if not sealed.startswith(ENCRYPTED):
        raise UnreadableArtifact(f"{what} is not in a form reportbot stores secrets in")
    if keyring is None:
        raise UnreadableArtifact(f"{what} is encrypted, and ARTIFACT_ENCRYPTION_KEYS is not set on this server")
    try:
        data = base64.urlsafe_b64decode(sealed[len(ENCRYPTED):].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise UnreadableArtifact(f"{what} has been altered") from None
    with DecryptingReader(io.BytesIO(data), keyring, what) as reader:
        return reader.read().decode()


def needs_resealing(keyring: Keyring | None, sealed: str) -> bool:
    """Whether `rekey` should seal it again: kept in the clear while keys are set, or under an older key."""
    if keyring is None:
        return False
    if sealed.startswith(PLAIN):
        return True
    try:
        data = base64.urlsafe_b64decode(sealed[len(ENCRYPTED):].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    if len(data) < HEADER.size:
        return False
    return HEADER.unpack(data[:HEADER.size])[2] != keyring.primary_id


@dataclass
class ResealResult:
    current: int = 0  # already sealed under the first key
    resealed: int = 0  # were under an older key, or in the clear
    failed: list[int] = field(default_factory=list)  # destination ids whose secret no listed key opens
    answers_resealed: int = 0  # stored API answers (Idempotency-Key replays) that show a secret
    answers_dropped: int = 0  # such answers no listed key opens: removed, so a replay is not a 500

    def as_dict(self) -> dict:
        return asdict(self)


def reseal_secrets(session: Session, keyring: Keyring, *, dry_run: bool = False) -> ResealResult:
    """Seal every stored secret under the keyring's first key (`rekey`, the last step of a rotation);
    one that cannot be opened is left as it is and named in the result. Never commits."""
    result = ResealResult()
    for destination in session.scalars(select(Destination).where(Destination.secret.is_not(None))
                                       .order_by(Destination.id)):
        if not needs_resealing(keyring, destination.secret):
            result.current += 1
            continue
        try:
            secret = unseal(keyring, destination.secret, what=f"the secret of destination {destination.id}")
        except UnreadableArtifact:
            result.failed.append(destination.id)
            continue
        if not dry_run:
            destination.secret = seal(keyring, secret)
        result.resealed += 1
    _reseal_answers(session, keyring, result, dry_run=dry_run)
    return result


def _reseal_answers(session: Session, keyring: Keyring, result: ResealResult, *, dry_run: bool) -> None:
    """The REST API keeps the answer to a POST for replays (24 h); one that added a webhook shows its
    secret, sealed like the destination's own copy, so it is re-sealed too (or dropped if unreadable)."""
    for row in session.scalars(select(ApiIdempotencyKey).where(ApiIdempotencyKey.response.is_not(None))
                               .order_by(ApiIdempotencyKey.id)):
        shown = (row.response or {}).get("webhook_secrets") or []
        if not any(needs_resealing(keyring, item.get("secret") or "") for item in shown):
            continue
        try:
            opened = [{**item, "secret": unseal(keyring, item["secret"])} for item in shown]
        except (UnreadableArtifact, KeyError, TypeError):
            result.answers_dropped += 1
            if not dry_run:
                session.delete(row)
            continue
        result.answers_resealed += 1
        if not dry_run:
            row.response = {**row.response, "webhook_secrets": [{**item, "secret": seal(keyring, item["secret"])}
                                                                 for item in opened]}
