"""What one unsigned oversized POST to /slack/events costs the web process; print one JSON line.

The web app runs in a child process, under waitress as `reportbot serve` runs it (logging at INFO,
the default). This process streams an unsigned body of --mib MiB to it, then reads the child's
resident memory from /proc (before, after, and the peak, VmHWM) and counts the bytes it logged.
Two configurations: `reportbot` (bot.web.server: capped body, signature checked before parsing)
and `bolt_stock` (Bolt's own WSGI adapter under waitress's defaults: the behaviour before); and
`reportbot_at_cap`, an unsigned body of exactly the cap, which reaches the signature check.

    .venv/bin/python bench/web_body.py [--mib 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIGNING_SECRET = "bench-signing-secret-not-real"
CHUNK = b"x" * (1024 * 1024)


def serve(port: int, api_url: str, token: str, data_dir: str, stock: bool) -> None:
    """The child: build the app as `reportbot serve` does and serve until killed."""
    from bot.app import create_app
    from bot.deps import BotDeps
    from bot.settings import BotSettings
    from bot.web.server import build_wsgi, make_server
    from jobs.context import JobContext
    from jobs.logs import configure_logging
    from jobs.settings import JobSettings, SlackSettings
    from storage.db import Database
    from storage.filestore import ArtifactStore
    from storage.migrate import upgrade

    configure_logging("INFO")
    slack = SlackSettings(bot_token=token, api_url=api_url)
    database = Database(f"sqlite:///{data_dir}/bench.db")
    upgrade(database)
    context = JobContext(database=database, artifacts=ArtifactStore(Path(data_dir) / "artifacts"),
                         settings=JobSettings.from_env({}), slack_settings=slack)
    settings = BotSettings(slack=slack, signing_secret=SIGNING_SECRET, app_token=None, port=port)
    deps = BotDeps(jobs=context, enqueue=lambda *args: None, settings=settings)
    app = create_app(deps)
    if stock:
        from slack_bolt.adapter.wsgi import SlackRequestHandler
        from waitress.server import create_server

        server = create_server(SlackRequestHandler(app), host="127.0.0.1", port=port, threads=8)
    else:
        server = make_server(build_wsgi(app, database, deps), "127.0.0.1", port)
    print("ready", flush=True)
    server.run()


def _memory_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def _post_unsigned(port: int, size: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", str(size))
    connection.endheaders()
    try:
        for offset in range(0, size, len(CHUNK)):
            connection.send(CHUNK[:size - offset])
    except OSError:  # the server answered early and closed: what a cap should do
        pass
    status = connection.getresponse().status
    connection.close()
    return status


def measure(size: int, stock: bool, api_url: str, token: str) -> dict:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as data_dir, open(Path(data_dir) / "log", "w+b") as log:
        child = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--api-url", api_url,
                                  "--token", token, "--data-dir", data_dir] + (["--stock"] if stock else []),
                                 stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(0.5)
            before = _memory_mb(child.pid)
            logged_before = log.seek(0, os.SEEK_END)
            started = time.perf_counter()
            status = _post_unsigned(port, size)
            seconds = time.perf_counter() - started
            time.sleep(1.0)
            after = _memory_mb(child.pid)
            logged = log.seek(0, os.SEEK_END) - logged_before
        finally:
            child.kill()
            child.wait()
    return {"status": status, "rss_before_mb": before["VmRSS"], "rss_after_mb": after["VmRSS"],
            "rss_peak_mb": after["VmHWM"], "log_bytes": logged, "seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200, help="size of the unsigned body (default 200)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--stock", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.api_url, args.token, args.data_dir, args.stock)
        return
    from bot.web.request_body import MAX_SLACK_BODY
    from slack_emulator import SlackEmulator

    big = args.mib * len(CHUNK)
    with SlackEmulator() as emulator:
        api = (emulator.base_url, emulator.bot_token())
        result = {"body_mib": args.mib, "reportbot": measure(big, False, *api), "bolt_stock": measure(big, True, *api),
                  # the largest body the cap lets through, unsigned: refused by the signature check, one log line
                  "reportbot_at_cap": measure(MAX_SLACK_BODY, False, *api)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
