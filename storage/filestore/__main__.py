"""`python -m storage.filestore new-key | rekey [--dry-run] | where`: the artifact store's operator
commands (reportbot's CLI can delegate to `main`)."""

from __future__ import annotations

import argparse
import json
import sys

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
    print(json.dumps({"store": store.describe(), "dry_run": args.dry_run, **result.as_dict()}))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
