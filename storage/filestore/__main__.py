"""`python -m storage.filestore new-key | rekey [--dry-run] | where`: the artifact store's operator
commands (reportbot's CLI can delegate to `main`). `rekey` re-seals the webhook secrets kept in the
database as well, since they are sealed with the same keys."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from storage.filestore.crypto import new_key
from storage.filestore.errors import FileStoreError
from storage.filestore.rekey import reencrypt
from storage.filestore.settings import store_from_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.filestore",
                                     description="Operator commands for the artifact store.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("new-key", help="print a fresh key for ARTIFACT_ENCRYPTION_KEYS")
    rekey = commands.add_parser("rekey", help="re-encrypt every stored file under the first configured key")
    rekey.add_argument("--dry-run", action="store_true", help="only count what would be rewritten")
    commands.add_parser("where", help="say where files are stored (from the environment)")
    args = parser.parse_args(argv)
    if args.command == "new-key":
        print(new_key())
        return 0
    try:
        store = store_from_env()
        if args.command == "where":
            print(store.describe())
            return 0
        result = reencrypt(store, dry_run=args.dry_run)
    except FileStoreError as exc:
        print(f"reportbot: {exc}", file=sys.stderr)
        return 2
    summary = {"store": store.describe(), "dry_run": args.dry_run, **result.as_dict()}
    try:
        secrets = _reseal_secrets(store.keyring, dry_run=args.dry_run)
    except SQLAlchemyError as exc:
        print(json.dumps({**summary, "webhook_secrets": {"error": type(exc).__name__}}))
        print(f"reportbot: the files are done, but the webhook secrets in the database could not be re-sealed "
              f"({type(exc).__name__}); check DATABASE_URL and run it again", file=sys.stderr)
        return 2
    print(json.dumps({**summary, "webhook_secrets": secrets.as_dict() if secrets else None}))
    return 1 if result.failed or (secrets and secrets.failed) else 0


def _reseal_secrets(keyring, *, dry_run: bool):
    """The webhook signing secrets in the database (DATABASE_URL) are sealed with the same keys: bring
    them under the first key too, so the old key can be dropped. None when there is no database here
    (an SQLite file that does not exist is not created for this)."""
    from sqlalchemy.engine import make_url

    from storage.db import Database
    from storage.sealed import reseal_secrets
    from storage.settings import StorageSettings

    url = StorageSettings.from_env().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).exists():
        print(f"reportbot: no database at {parsed.database} (DATABASE_URL): only the files were re-encrypted",
              file=sys.stderr)
        return None
    database = Database(url)
    try:
        with database.session() as session:
            return reseal_secrets(session, keyring, dry_run=dry_run)
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
