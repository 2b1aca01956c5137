"""Delivery paces itself per workspace: a burst drains at the tier's rate with no 429s."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.pacing import LocalPacer, RedisPacer
from jobs.tick import tick
from slack_emulator import SlackEmulator
from storage.models import RunStatus
from tests.conftest import make_context
from tests.factories import make_schedule
from tests.support.people import ALICE, SALES

SCALE = 60  # the emulator's minute lasts one second; pacing is multiplied to match


@pytest.fixture
def limited_emulator():
    with SlackEmulator(enforce_rate_limits=True, rate_limit_scale=SCALE) as emu:
        emu.add_user(ALICE, "alice", tz="Europe/Berlin")
        emu.add_channel(SALES, "sales", members=[ALICE])
        yield emu


def test_unpaced_burst_is_rate_limited_by_the_emulator(limited_emulator):
    """The control: without pacing, Slack (emulated) answers 429 to the same kind of burst."""
    client = WebClient(token=limited_emulator.bot_token(), base_url=limited_emulator.base_url)
    with pytest.raises(SlackApiError) as caught:
        for _ in range(150):
            client.files_getUploadURLExternal(filename="a.csv", length=10)
    assert caught.value.response.status_code == 429


def test_paced_burst_of_reports_to_one_workspace_has_no_429_and_no_failure(sqlite_database, tmp_path,
                                                                              limited_emulator, recording_enqueue):
    ctx = make_context(sqlite_database, tmp_path, limited_emulator, slack_rate_multiplier=SCALE)
    with sqlite_database.session() as s:
        slots = [make_schedule(s, name=f"report {i}").next_run_at for i in range(120)]
    ctx.now.jump_to(slots[0])
    run_ids = tick(ctx, recording_enqueue).created
    for run_id in run_ids:
        generate(ctx, run_id, recording_enqueue)
    results: list[str] = []
    pending = list(run_ids)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                run_id = pending.pop()
            results.append(deliver(ctx, run_id))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results.count(RunStatus.DELIVERED) == 120
    assert limited_emulator.ratelimited_count() == 0
    assert len(limited_emulator.uploads(SALES)) == 120


def test_local_pacer_spaces_reservations():
    pacer = LocalPacer()
    waits = [pacer.reserve("T1:files.completeUploadExternal", 0.01) for _ in range(5)]
    assert waits[0] == 0 and waits == sorted(waits) and waits[-1] == pytest.approx(0.04, abs=0.005)
    assert pacer.reserve("T2:files.completeUploadExternal", 0.01) == 0  # other workspaces have their own budget


@pytest.mark.redis
def test_redis_pacer_shares_one_budget_between_processes(redis_url):
    key = f"test:{time.time_ns()}"
    first, second = RedisPacer(redis_url), RedisPacer(redis_url)  # two workers' pacers
    waits = [p.reserve(key, 0.05) for p in (first, second, first, second)]
    assert waits[0] == 0
    assert [round(w, 2) for w in waits[1:]] == pytest.approx([0.05, 0.10, 0.15], abs=0.02)
