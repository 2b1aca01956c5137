"""The offline demo: the real app against the local Slack emulator, narrated as a transcript.

It creates a schedule through a signed `/report` command exactly as Slack would send it, moves the
clock to the slot time, lets the worker generate and upload the report, shows App Home, and writes
every posted file under the output folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
import time
from pathlib import Path

from bot.app import create_app
from bot.cli.runtime import start_runtime
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.server import ServerThread, build_wsgi
from jobs import actors
from jobs import broker as broker_module
from jobs.context import AdjustableClock, JobContext
from jobs.settings import JobSettings, SlackSettings
from jobs.tick import tick
from reports.renderers import available_formats
from slack_emulator import SlackEmulator
from slack_emulator.signing import SlackRequestSigner, post
from storage.db import Database
from storage.filestore import ArtifactStore
from storage.models import FINAL_RUN_STATUSES, Run, Schedule

SIGNING_SECRET = "demo-signing-secret-not-a-real-one"
USER_ID, CHANNEL_ID = "U0DEMO001", "C0SALES01"


def find_reference_dir() -> Path | None:
    """Slack's method reference beside the checkout (../shared/slack), when this machine has it."""
    for base in (Path.cwd(), *Path.cwd().parents[:2]):
        candidate = base.parent / "shared" / "slack" / "method-reference"
        if candidate.is_dir():
            return candidate
    return None


def blocks_as_text(blocks: list[dict]) -> str:
    """Render Block Kit roughly as a person sees it, for the transcript."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            if block.get("text"):
                lines.append(block["text"].get("text", ""))
            fields = [f.get("text", "").replace("\n", " ") for f in block.get("fields", [])]
            lines += ["   ".join(fields[i:i + 2]) for i in range(0, len(fields), 2)]  # two columns, as Slack shows them
        elif kind == "context":
            lines.append("  ".join(e.get("text", "") for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(" ".join(f"[{e.get('text', {}).get('text', '')}]" for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("─" * 40)
    return "\n".join(lines)


class Transcript:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def say(self, who: str, text: str) -> None:
        print(f"\n{who}")
        print(textwrap.indent(text.strip() or "(nothing)", "    "))


def run_demo(out_dir: str | Path = "reportbot-demo") -> int:
    out = Path(out_dir)
    for stale in ("demo.db", "demo.db-wal", "demo.db-shm", "artifacts", "files"):
        target = out / stale
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
    (out / "files").mkdir(parents=True, exist_ok=True)
    # The demo is always the embedded default, even when REDIS_URL is set in the shell.
    broker_module.use_broker(broker_module.build_broker(None))
    say = Transcript().say
    with SlackEmulator(reference_dir=find_reference_dir()) as emu:
        emu.add_user(USER_ID, "alice", real_name="Alice Example", tz="Europe/Berlin", email="alice@example.com")
        emu.add_channel(CHANNEL_ID, "sales", members=[USER_ID])
        slack = SlackSettings(bot_token=emu.bot_token(), api_url=emu.base_url)
        context = JobContext(
            database=Database(f"sqlite:///{(out / 'demo.db').resolve()}"),
            artifacts=ArtifactStore((out / "artifacts").resolve()),
            settings=JobSettings.from_env({}),
            slack_settings=slack,
            now=AdjustableClock(),
        )
        runtime = start_runtime(context, embedded=True, clock=False)
        settings = BotSettings(slack=slack, signing_secret=SIGNING_SECRET, app_token=None, port=0)
        deps = BotDeps(jobs=runtime.context, enqueue=actors.enqueue, settings=settings)
        server = ServerThread(build_wsgi(create_app(deps), context.database, deps))
        server.start()
        url = server.url
        signer = SlackRequestSigner(SIGNING_SECRET, team_id=emu.default_team_id)
        print(f"reportbot offline demo — Slack emulator at {emu.base_url}, app at {url}")
        print(f"Workspace “Acme”: alice (Europe/Berlin) in #sales. Files go to {out.resolve()}/files")
        try:
            formats = ",".join(f for f in ("csv", "xlsx", "png", "pdf") if f in available_formats())

            def slash(text: str) -> str:
                say("alice types in #sales:", f"/report {text}")
                response_url = emu.new_response_url()
                body, headers = signer.slash_command(text, user_id=USER_ID, channel_id=CHANNEL_ID, user_name="alice",
                                                     channel_name="sales", response_url=response_url,
                                                     trigger_id=emu.new_trigger_id())
                status, _ = post(url, body, headers)
                if status != 200:
                    raise RuntimeError(f"the app answered HTTP {status}")
                reply = emu.wait_for(lambda: emu.responses(response_url.rsplit("/", 1)[1]), timeout=15)[-1]
                say("reportbot (only visible to you):", reply.get("text", ""))
                return reply.get("text", "")

            slash(f'new "Daily sales" every weekday at 9am in #sales as {formats}')
            slash("list")
            with context.database.session() as session:
                schedule = session.query(Schedule).one()
                slot, schedule_id = schedule.next_run_at, schedule.id
            say("⏰ The clock moves to the slot time:", f"{slot.astimezone(dt.UTC):%a %d %b %Y %H:%M} UTC")
            context.now.jump_to(slot)
            tick(context, actors.enqueue)
            run = _wait_for_run(context, schedule_id)
            _show_delivery(say, emu, run, out)
            slash("run daily sales")
            run = _wait_for_run(context, schedule_id, after_id=run.id)
            say("The manual run finished:", f"run {run.id}: {run.status}")
            _show_home(say, emu, signer, url)
        finally:
            server.stop()
            runtime.stop()
            context.database.dispose()
    print(f"\nDone. Files written to {out.resolve()}/files")
    return 0


def _wait_for_run(context: JobContext, schedule_id: int, after_id: int = 0, timeout: float = 60) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with context.database.session() as session:
            run = (session.query(Run).filter(Run.schedule_id == schedule_id, Run.id > after_id)
                   .order_by(Run.id.desc()).first())
            if run is not None and run.status in FINAL_RUN_STATUSES:
                return run
        time.sleep(0.1)
    raise RuntimeError("the run did not finish within a minute")


def _show_delivery(say, emu: SlackEmulator, run: Run, out: Path) -> None:
    uploads = emu.uploads(CHANNEL_ID)
    message = emu.messages(CHANNEL_ID)[-1] if emu.messages(CHANNEL_ID) else {}
    lines = [blocks_as_text(message.get("blocks") or []) or message.get("text", "")]
    for upload in uploads:
        path = out / "files" / upload.filename
        path.write_bytes(upload.content)
        lines.append(f"📎 {upload.filename} ({len(upload.content):,} bytes) → saved as {path}")
    say(f"reportbot posts in #sales (run {run.id}: {run.status}):", "\n".join(lines))


def _show_home(say, emu: SlackEmulator, signer: SlackRequestSigner, url: str) -> None:
    published = len(emu.calls("views.publish"))
    body, headers = signer.event({"type": "app_home_opened", "user": USER_ID, "channel": "D0DEMO001", "tab": "home"})
    post(url, body, headers)
    emu.wait_for(lambda: len(emu.calls("views.publish")) > published, timeout=15)
    view = emu.home_view(USER_ID)
    say("alice opens the reportbot App Home:", blocks_as_text(view.get("blocks", [])))
