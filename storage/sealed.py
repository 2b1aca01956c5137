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

from storage.filestore.crypto import HEADER, DecryptingReader, EncryptingWriter, Keyring
from storage.filestore.errors import UnreadableArtifact

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
