"""App-level encryption: what is stored is unreadable without the key, any change to it is an error
(never altered bytes), a wrong or missing key says so, and keys rotate with `rekey`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from storage.filestore import ArtifactStore, StoreConfigError, UnreadableArtifact
from storage.filestore.__main__ import main as filestore_cli
from storage.filestore.crypto import CHUNK, HEADER, TAG, Keyring, new_key
from storage.filestore.rekey import reencrypt
from storage.filestore.settings import FileStoreSettings, build_store
from storage.models import Destination, DestinationKind
from storage.models.tokens import ApiIdempotencyKey, TriggerToken
from storage.schedules import NewDestination
from storage.sealed import needs_resealing, seal, unseal
from storage.tokens import create_token
from tests.factories import make_schedule
from tests.support.people import TEAM

KEY = "runs/1/report.csv"
FRAME = CHUNK + TAG


def _store(tmp_path, *keys: str, clock=None) -> ArtifactStore:
    keyring = Keyring.from_setting(",".join(keys)) if keys else None
    return ArtifactStore(tmp_path / "artifacts", keyring=keyring, **({"clock": clock} if clock else {}))


def _data(size: int) -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(size))


@pytest.fixture
def key() -> str:
    return new_key()


@pytest.fixture
def encrypted(tmp_path, key):
    store = _store(tmp_path, key)
    store.write_bytes(KEY, _data(3 * CHUNK + 100))  # four chunks: three full, one short
    return store


def _stored(store) -> bytearray:
    return bytearray((store.root / KEY).read_bytes())


def _replace(store, data: bytes) -> None:
    (store.root / KEY).write_bytes(bytes(data))


def _read_all(store) -> bytes:
    with store.open_for_read(KEY) as stream:
        return stream.read()


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 100])
def test_every_size_round_trips_including_exact_chunk_multiples(tmp_path, key, size):
    store = _store(tmp_path, key)
    stored = store.write_bytes(KEY, _data(size))
    assert stored.size == size and store.read_bytes(KEY) == _data(size)
    frames = max(1, -(-size // CHUNK))
    assert len(_stored(store)) == HEADER.size + size + frames * TAG


@pytest.mark.parametrize("where", ["header", "first chunk", "middle chunk", "last chunk", "last tag"])
def test_a_changed_byte_anywhere_is_an_error_not_altered_content(encrypted, where):
    raw = _stored(encrypted)
    offset = {"header": HEADER.size - 3, "first chunk": HEADER.size + 10, "middle chunk": HEADER.size + FRAME + 500,
              "last chunk": HEADER.size + 3 * FRAME + 5, "last tag": len(raw) - 1}[where]
    raw[offset] ^= 0x01
    _replace(encrypted, raw)
    with pytest.raises(UnreadableArtifact, match="altered"):
        _read_all(encrypted)


@pytest.mark.parametrize("cut", ["at a chunk boundary", "inside a chunk", "to the header"])
def test_a_truncated_file_is_an_error(encrypted, cut):
    raw = _stored(encrypted)
    length = {"at a chunk boundary": HEADER.size + 2 * FRAME, "inside a chunk": HEADER.size + FRAME + 77,
              "to the header": HEADER.size}[cut]
    _replace(encrypted, raw[:length])
    with pytest.raises(UnreadableArtifact, match="altered|truncated"):
        _read_all(encrypted)


def test_reordered_repeated_or_appended_chunks_are_errors(encrypted):
    raw = bytes(_stored(encrypted))
    header, frames = raw[:HEADER.size], [raw[HEADER.size + i * FRAME:HEADER.size + (i + 1) * FRAME] for i in range(4)]
    for altered in ([frames[1], frames[0], frames[2], frames[3]],  # two chunks swapped
                    [frames[0], frames[0], frames[2], frames[3]],  # one repeated in place of another
                    [frames[0], frames[1], frames[2], frames[2], frames[3]],  # one inserted
                    frames + [frames[3]]):  # the last one appended again
        _replace(encrypted, header + b"".join(altered))
        with pytest.raises(UnreadableArtifact):
            _read_all(encrypted)


def test_chunks_from_another_file_under_the_same_key_do_not_fit(tmp_path, key):
    store = _store(tmp_path, key)
    store.write_bytes(KEY, _data(2 * CHUNK))
    store.write_bytes("runs/1/other.csv", _data(2 * CHUNK))
    mine, other = _stored(store), (store.root / "runs/1/other.csv").read_bytes()
    assert mine[HEADER.size:] != other[HEADER.size:]  # a fresh file key and nonce prefix per file
    _replace(store, mine[:HEADER.size] + other[HEADER.size:])
    with pytest.raises(UnreadableArtifact, match="altered"):
        _read_all(store)


def test_the_wrong_key_is_named_when_the_file_is_opened(encrypted, tmp_path):
    other = _store(tmp_path, new_key())
    with pytest.raises(UnreadableArtifact, match="not in ARTIFACT_ENCRYPTION_KEYS") as caught:
        other.open_for_read(KEY)
    assert encrypted.keyring.primary_id.hex() in str(caught.value)


def test_an_encrypted_file_is_refused_without_keys_and_a_plain_one_with_keys(encrypted, tmp_path, key):
    plain = _store(tmp_path)
    with pytest.raises(UnreadableArtifact, match="ARTIFACT_ENCRYPTION_KEYS is not set"):
        plain.read_bytes(KEY)
    with pytest.raises(UnreadableArtifact, match="ARTIFACT_ENCRYPTION_KEYS is not set"):
        with plain.local_file(KEY):
            pass
    plain.write_bytes("runs/2/clear.csv", b"a,b\n")
    with pytest.raises(UnreadableArtifact, match="not encrypted"):
        encrypted.read_bytes("runs/2/clear.csv")


@pytest.fixture
def database_env(sqlite_database, monkeypatch):
    """`rekey` re-seals the webhook secrets of the database DATABASE_URL names."""
    monkeypatch.setenv("DATABASE_URL", sqlite_database.url)
    return sqlite_database


def _webhook(session, name: str, sealed: str) -> int:
    schedule = make_schedule(session, name=name, destinations=[
        NewDestination(DestinationKind.WEBHOOK, f"https://hooks.example.com/{name}", "webhook hooks.example.com",
                       secret=sealed)])
    session.flush()
    return schedule.destinations[0].id


def _answer(session, sealed: str) -> int:
    """A REST API answer kept for Idempotency-Key replays that showed a webhook's secret (sealed)."""
    create_token(session, TEAM, "ci")
    token = session.scalars(select(TriggerToken).order_by(TriggerToken.id.desc())).first()
    row = ApiIdempotencyKey(token_id=token.id, key="k", request_sha256="0" * 64, status=201,
                            response={"id": 1, "webhook_secrets": [{"destination": "webhook x", "secret": sealed}]})
    session.add(row)
    session.flush()
    return row.id


def _secret_of(database, destination_id: int) -> str:
    with database.session() as s:
        return s.get(Destination, destination_id).secret


def test_rekey_seals_webhook_secrets_under_the_new_key_too(tmp_path, key, capsys, monkeypatch, database_env):
    with database_env.session() as s:
        under_old = _webhook(s, "old", seal(Keyring.from_setting(key), "whsec_old"))
        in_clear = _webhook(s, "clear", seal(None, "whsec_clear"))  # stored before keys were set
        lost = _webhook(s, "lost", seal(Keyring.from_setting(new_key()), "whsec_lost"))
        answered = _answer(s, seal(Keyring.from_setting(key), "whsec_old"))  # a POST's answer kept for replays
        unreadable = _answer(s, seal(Keyring.from_setting(new_key()), "whsec_lost"))
    new = new_key()
    monkeypatch.delenv("ARTIFACT_STORE_URL", raising=False)
    monkeypatch.setenv("ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("ARTIFACT_ENCRYPTION_KEYS", f"{new},{key}")
    assert filestore_cli(["rekey", "--dry-run"]) == 1  # one secret no listed key opens
    counted = json.loads(capsys.readouterr().out)["webhook_secrets"]
    assert counted == {"current": 0, "resealed": 2, "failed": [lost], "answers_resealed": 1, "answers_dropped": 1}
    assert _secret_of(database_env, in_clear).startswith("plain:")  # a dry run changes nothing
    assert filestore_cli(["rekey"]) == 1
    output = capsys.readouterr().out
    assert json.loads(output)["webhook_secrets"] == {"current": 0, "resealed": 2, "failed": [lost],
                                                     "answers_resealed": 1, "answers_dropped": 1}
    assert "whsec_" not in output
    only_new = Keyring.from_setting(new)  # the old key can go: every secret it sealed opens with the new one
    assert unseal(only_new, _secret_of(database_env, under_old)) == "whsec_old"
    assert unseal(only_new, _secret_of(database_env, in_clear)) == "whsec_clear"
    assert not needs_resealing(only_new, _secret_of(database_env, under_old))
    with database_env.session() as s:
        [shown] = s.get(ApiIdempotencyKey, answered).response["webhook_secrets"]
        assert unseal(only_new, shown["secret"]) == "whsec_old"
        assert s.get(ApiIdempotencyKey, unreadable) is None  # a replay of it would be a 500: dropped


def test_rekey_without_a_database_re_encrypts_the_files_and_creates_none(tmp_path, key, capsys, monkeypatch):
    _store(tmp_path, key).write_bytes("runs/1/a.csv", b"a,b\n")
    monkeypatch.chdir(tmp_path)  # DATABASE_URL's default, sqlite:///reportbot.db, names a file that is not here
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ARTIFACT_STORE_URL", raising=False)
    monkeypatch.setenv("ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("ARTIFACT_ENCRYPTION_KEYS", f"{new_key()},{key}")
    assert filestore_cli(["rekey"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["reencrypted"] == 1 and json.loads(out)["webhook_secrets"] is None
    assert "only the files were re-encrypted" in err and not (tmp_path / "reportbot.db").exists()


def test_rotation_old_keys_still_read_and_rekey_moves_every_file_to_the_new_one(tmp_path, key, capsys,
                                                                               monkeypatch, database_env):
    old_written = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    old = _store(tmp_path, key, clock=lambda: old_written)
    old.write_bytes("runs/1/a.csv", _data(CHUNK + 5))
    plain = _store(tmp_path)
    plain.write_bytes("runs/2/b.csv", b"stored before encryption was on")
    new = new_key()
    rotated = _store(tmp_path, new, key)  # step 2: the new key first, the old one still listed
    assert rotated.read_bytes("runs/1/a.csv") == _data(CHUNK + 5)
    rotated.write_bytes("runs/3/c.csv", b"written after the rotation")

    monkeypatch.delenv("ARTIFACT_STORE_URL", raising=False)
    monkeypatch.setenv("ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("ARTIFACT_ENCRYPTION_KEYS", f"{new},{key}")  # step 3: python -m storage.filestore rekey
    assert filestore_cli(["rekey", "--dry-run"]) == 0
    counted = json.loads(capsys.readouterr().out)
    assert (counted["reencrypted"], counted["encrypted"], counted["current"]) == (1, 1, 1)
    assert filestore_cli(["rekey"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["reencrypted"], done["encrypted"], done["current"], done["failed"]) == (1, 1, 1, [])
    assert key not in json.dumps(done) and new not in json.dumps(done)

    only_new = _store(tmp_path, new)  # step 4: the old key is gone, everything still reads
    assert only_new.read_bytes("runs/1/a.csv") == _data(CHUNK + 5)
    assert only_new.read_bytes("runs/2/b.csv") == b"stored before encryption was on"
    assert only_new.written_at("runs/1/a.csv") == old_written  # retention and the sweep see the same age
    assert reencrypt(only_new).as_dict() == {"current": 3, "reencrypted": 0, "encrypted": 0, "failed": []}


def test_rekey_reports_files_it_cannot_read_and_leaves_them_alone(tmp_path, key):
    _store(tmp_path, new_key()).write_bytes("runs/1/lost.csv", b"under a key nobody has any more")
    before = (tmp_path / "artifacts" / "runs/1/lost.csv").read_bytes()
    result = reencrypt(_store(tmp_path, key))
    assert result.failed == ["runs/1/lost.csv"]
    assert (tmp_path / "artifacts" / "runs/1/lost.csv").read_bytes() == before


@pytest.mark.parametrize("setting", ["not-base64!", "c2hvcnQ=", "abc", f"{new_key()},tooshort"],
                         ids=["not base64", "short", "too short to decode", "a good key then a short one"])
def test_a_bad_key_setting_is_a_clear_error_at_start_up(setting):
    with pytest.raises(StoreConfigError, match="32 bytes in URL-safe base64.*new-key"):
        build_store(FileStoreSettings.from_env({"ARTIFACT_ENCRYPTION_KEYS": setting}))


def test_settings_never_show_the_keys(key):
    settings = FileStoreSettings.from_env({"ARTIFACT_ENCRYPTION_KEYS": key})
    assert settings.keyring is not None and key not in repr(settings) and key not in repr(settings.keyring)
