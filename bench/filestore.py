"""Benchmark the artifact store: stream a large file in and out of each store, print one JSON line.

Usage: python bench/filestore.py [--mb 256]

Each store (local directory, local encrypted, S3, S3 encrypted — S3 being moto's server on
loopback, started here) is measured in a fresh child process that writes the file through
`open_for_write` in 64 KiB pieces (as a renderer does), reads it back through `open_for_read`,
and copies it to a temporary path with `local_file` (what a Slack upload gets). The child reports
MB/s and how far its peak RSS grew above where it stood before the file was touched; streaming
keeps that growth near one S3 part (8 MiB) whatever the file's size. `whole-read` reads the same
local file with `read_bytes`, for contrast.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PIECE = 64 * 1024
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIA-BENCH-NOT-REAL", "AWS_SECRET_ACCESS_KEY": "bench-secret-not-real",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _store(kind: str, folder: Path, endpoint: str | None):
    from storage.filestore import ArtifactStore
    from storage.filestore.crypto import Keyring, new_key
    from storage.filestore.s3 import S3Bucket

    keyring = Keyring.from_setting(new_key()) if "encrypted" in kind else None
    if kind.startswith("s3"):
        import boto3

        bucket = f"bench-{os.getpid()}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        return ArtifactStore(S3Bucket(bucket, "bench", endpoint_url=endpoint), keyring=keyring)
    return ArtifactStore(folder, keyring=keyring)


def child(kind: str, mb: int, folder: Path, endpoint: str | None) -> dict:
    """Measure one store in this process."""
    store = _store(kind, folder, endpoint)
    piece = os.urandom(PIECE)
    total = mb * 1024 * 1024
    key = "runs/1/large.csv"
    before = _peak_mb()
    started = time.perf_counter()
    if kind == "whole-read":
        with store.open_for_write(key) as out:
            for _ in range(total // PIECE):
                out.write(piece)
        before, started = _peak_mb(), time.perf_counter()
        data = store.read_bytes(key)
        return {"read_mb_s": round(mb / (time.perf_counter() - started), 1), "read_bytes_len": len(data),
                "peak_rss_growth_mb": round(_peak_mb() - before, 1)}
    with store.open_for_write(key) as out:
        for _ in range(total // PIECE):
            out.write(piece)
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    digest = hashlib.sha256()
    with store.open_for_read(key) as stream:
        while chunk := stream.read(256 * 1024):
            digest.update(chunk)
    read = time.perf_counter() - started
    assert digest.hexdigest() == out.sha256, "read back something else"
    started = time.perf_counter()
    with store.local_file(key) as path:
        assert path.stat().st_size == total
    copied = time.perf_counter() - started
    return {"write_mb_s": round(mb / wrote, 1), "read_mb_s": round(mb / read, 1),
            "local_file_mb_s": round(mb / copied, 1), "peak_rss_growth_mb": round(_peak_mb() - before, 1)}


def _moto(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               env={**os.environ, **CREDENTIALS}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(300):
        try:
            opener.open(f"http://127.0.0.1:{port}/moto-api/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("moto's server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=256)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.mb, Path(args.folder), args.endpoint)))
        return
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moto = _moto(port)
    results = {}
    try:
        for kind in ("local", "local-encrypted", "s3", "s3-encrypted", "whole-read"):
            with tempfile.TemporaryDirectory() as folder:
                out = subprocess.run([sys.executable, __file__, "--child", kind, "--mb", str(args.mb), "--folder",
                                      folder, "--endpoint", f"http://127.0.0.1:{port}"],
                                     env={**os.environ, **CREDENTIALS}, capture_output=True, text=True, check=True)
                results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    print(json.dumps({"benchmark": "filestore", "file_mb": args.mb, "results": results}))


if __name__ == "__main__":
    main()
