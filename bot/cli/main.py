"""The `reportbot` command: serve, clock, demo, cadence, run, migrate, status, token."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading

from bot.cli import cadence as cli_cadence
from bot.cli import run_command, unreachable
from storage.errors import BadInput, SettingsError
from storage.filestore.__main__ import main as filestore_cli

log = logging.getLogger("reportbot")


def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.cli.runtime import start_runtime
    from bot.deps import BotDeps
    from bot.settings import BotSettings
    from bot.web.server import build_wsgi
    from jobs import actors

    settings = BotSettings.from_env()
    if not settings.has_credentials:
        print("No Slack credentials (SLACK_BOT_TOKEN) — running the offline demo instead.\n", file=sys.stderr)
        return _demo(args)
    settings.require_credentials()
    runtime = start_runtime()
    deps = BotDeps(jobs=runtime.context, enqueue=actors.enqueue, settings=settings)
    app = create_app(deps)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        # Both modes serve health checks, metrics, the trigger API and the links in report emails;
        # only HTTP mode takes Slack's events here (Socket Mode gets them over the socket).
        server = _listen(build_wsgi(None if settings.socket_mode else app, runtime.context.database, deps),
                         settings.port)
        server.start()
        try:
            if settings.socket_mode:
                from slack_bolt.adapter.socket_mode import SocketModeHandler

                handler = SocketModeHandler(app, settings.app_token)
                handler.connect()
                log.info("connected in Socket Mode; health, metrics, trigger API and email links on :%s",
                         settings.port)
                stop.wait()
                handler.close()
            else:
                log.info("listening on :%s%s", settings.port, "/slack/events")
                stop.wait()
        finally:
            server.stop()  # stops accepting, lets waitress finish what it is serving
    finally:
        runtime.stop()
    return 0


def _listen(wsgi, port: int):
    """Bind the web server on `port`, or say in one line why it cannot be."""
    from bot.web.server import ServerThread

    try:
        return ServerThread(wsgi, "0.0.0.0", port)
    except OSError as exc:
        raise SettingsError(f"Cannot listen on PORT {port}: {exc.strerror or exc}. Set PORT to a free port.") from None


def _clock(args: argparse.Namespace) -> int:
    from jobs import actors
    from jobs.context import get_context

    context = get_context()
    if context.settings.redis_url is None:
        raise SettingsError("`reportbot clock` sends ticks through Redis: set REDIS_URL. "
                            "Without Redis, `reportbot serve` runs the clock itself.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    from jobs.broker import broker
    from jobs.release import ReleaseLoop

    release = ReleaseLoop(broker)  # releases parked runs at their slot time, a few times a second
    release.start()
    log.info("clock: ticking every %ss", context.settings.tick_interval)
    while not stop.is_set():
        try:
            actors.tick.send()
        except Exception as exc:  # Redis restarting: keep ticking; lost ticks are harmless
            log.warning("clock: could not send the tick (%s); trying again", type(exc).__name__)
        stop.wait(context.settings.tick_interval)
    release.stop()
    release.join(timeout=5)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import run_demo

    return run_demo(out_dir=getattr(args, "out", None) or "reportbot-demo")


def _migrate(args: argparse.Namespace) -> int:
    from storage.db import get_database
    from storage.migrate import upgrade

    upgrade(get_database())
    print("database is up to date")
    return 0


def _status(args: argparse.Namespace) -> int:
    import json

    from bot.cli.runtime import prepare_context
    from jobs.overview import collect_status, format_status

    status = collect_status(prepare_context(), data_sources=True)
    print(json.dumps(status.to_json(), indent=2, default=str) if args.json else format_status(status))
    return 0


def _token(args: argparse.Namespace) -> int:
    from bot.cli.runtime import prepare_context
    from storage.tokens import create_token, list_tokens, parse_scopes, revoke_tokens

    context = prepare_context()
    with context.database.session() as session:
        if args.action == "create":
            scopes = parse_scopes(args.scopes)
            token = create_token(session, args.team_id, args.label, scopes=scopes, acting_user_id=args.acting_as)
            who = f"acting as {args.acting_as}" if args.acting_as else "a workspace token (a workspace admin's powers)"
            print(f"API token for {args.team_id}, scopes {','.join(scopes)}, {who} (shown once, keep it secret):\n"
                  f"{token}")
        elif args.action == "list":
            for row in list_tokens(session, args.team_id):
                print(f"{row.id}\t{row.label or '-'}\t{row.scopes.replace(' ', ',')}\t"
                      f"{row.acting_user_id or 'workspace'}\tlast used {row.last_used_at or 'never'}")
        else:
            print(f"revoked {revoke_tokens(session, args.team_id, args.id)} token(s) of {args.team_id}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reportbot", description="Scheduled reports in Slack, in plain words.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the Slack app (HTTP or Socket Mode; the offline demo without credentials)")
    sub.add_parser("clock", help="send the tick every few seconds (needs REDIS_URL)")
    demo = sub.add_parser("demo", help="run the offline demo against the local Slack emulator")
    demo.add_argument("--out", default="reportbot-demo", help="folder for the demo's files (default ./reportbot-demo)")
    sub.add_parser("migrate", help="apply database migrations")
    token = sub.add_parser("token", help="create, list or revoke a workspace's REST API tokens")
    token.add_argument("action", choices=["create", "list", "revoke"])
    token.add_argument("team_id", help="the Slack workspace (team) id, e.g. T0123ABCD")
    token.add_argument("--label", default="", help="what the token is for")
    token.add_argument("--scopes", default="run", help="create: read,write,run (default run: start runs only)")
    token.add_argument("--as", dest="acting_as", default=None,
                       help="create: the Slack user id whose permissions it carries (default: the workspace, "
                            "with an admin's powers)")
    token.add_argument("--id", type=int, default=None, help="revoke: only this token (default: all of them)")
    status = sub.add_parser("status", help="schedules, due soon, running, failed recently, queue depth")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    run_command.register(sub)
    cli_cadence.register(sub)
    artifacts = sub.add_parser("artifacts", help="the artifact store: where files go, a new encryption key, re-encrypt")
    artifacts.add_argument("words", nargs=argparse.REMAINDER, help="new-key | rekey [--dry-run] | where")
    artifacts.set_defaults(func=lambda args: filestore_cli(args.words))
    for name, fn in (("serve", _serve), ("clock", _clock), ("demo", _demo), ("migrate", _migrate),
                     ("status", _status), ("token", _token)):
        sub.choices[name].set_defaults(func=fn)
    return parser


def main(argv: list[str] | None = None) -> int:
    from jobs.logs import configure_logging

    configure_logging()
    args = build_parser().parse_args(argv)
    # Migrations announce every step at INFO; only problems are worth an operator's attention.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "demo" or (args.command == "serve" and not os.environ.get("SLACK_BOT_TOKEN")):
        logging.getLogger().setLevel(os.environ.get("LOG_LEVEL", "WARNING").upper())  # the transcript speaks
    try:
        return args.func(args)
    except (SettingsError, BadInput) as exc:
        print(f"reportbot: {exc}", file=sys.stderr)
        return 2
    except unreachable.UNREACHABLE as exc:
        print(f"reportbot: {unreachable.explain(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
