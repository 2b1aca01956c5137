"""A burst of one person's runs refreshes their App Home once, with the final state; a request
during a refresh is not lost; a failing refresh never reaches the run."""

from __future__ import annotations

import threading
import time

from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.home_refresh import PUBLISHERS, HomeRefresher
from storage.models import DestinationKind, RunStatus
from storage.schedules import NewDestination
from tests.conftest import make_context
from tests.jobs.delivery_support import due_run
from tests.support.people import ALICE
from tests.support.waiting import wait_until


class RecordingPublish:
    def __init__(self, block_first: threading.Event | None = None, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.started = threading.Event()
        self._block_first, self._fail = block_first, fail

    def __call__(self, team_id: str, user_id: str) -> None:
        self.calls.append((team_id, user_id))
        self.started.set()
        if self._block_first is not None and len(self.calls) == 1:
            self._block_first.wait(5)
        if self._fail:
            raise RuntimeError("views.publish failed")



def test_requests_within_the_window_publish_once_per_person():
    publish = RecordingPublish()
    refresher = HomeRefresher(publish, delay=0.2)
    asked = [refresher.request("T1", "U1") for _ in range(20)] + [refresher.request("T1", "U2") for _ in range(5)]
    assert asked.count(True) == 2  # one timer per person; the rest joined it
    assert refresher.wait_idle(5)  # every refresh asked for is out: nothing more is coming
    assert sorted(publish.calls) == [("T1", "U1"), ("T1", "U2")]


def test_thousand_people_at_once_are_each_refreshed_once_by_a_few_threads():
    publish = RecordingPublish()
    refresher = HomeRefresher(publish, delay=0.2)
    threads_before = threading.active_count()
    for n in range(1000):
        refresher.request("T1", f"U{n:04d}")
        refresher.request("T1", f"U{n:04d}")  # the same person's second run joins the first
    assert threading.active_count() - threads_before <= 1 + PUBLISHERS
    assert refresher.wait_idle(10)
    assert sorted(publish.calls) == [("T1", f"U{n:04d}") for n in range(1000)]
    assert threading.active_count() - threads_before <= 1 + PUBLISHERS


def test_request_during_a_refresh_gets_its_own_so_the_last_state_shows():
    release = threading.Event()
    publish = RecordingPublish(block_first=release)
    refresher = HomeRefresher(publish, delay=0.05)
    refresher.request("T1", "U1")
    assert publish.started.wait(5)  # the first refresh is reading the database now
    assert refresher.request("T1", "U1") is True  # a run settled meanwhile: not folded into it
    release.set()
    wait_until(lambda: len(publish.calls) == 2)
    assert publish.calls == [("T1", "U1"), ("T1", "U1")]


def test_failing_refresh_is_logged_and_the_next_request_still_works(caplog):
    publish = RecordingPublish(fail=True)
    refresher = HomeRefresher(publish, delay=0)
    assert refresher.request("T1", "U1") is True  # no exception reaches the caller
    assert refresher.request("T1", "U1") is True
    assert len(publish.calls) == 2 and "could not refresh App Home for U1" in caplog.text


def test_burst_of_one_owners_runs_publishes_their_home_once(database, tmp_path, emulator, recording_enqueue):
    # Rates multiplied: Slack paces uploads at ~100 a minute per workspace, the emulator does not need to.
    ctx = make_context(database, tmp_path, emulator, home_refresh_seconds=1.5, slack_rate_multiplier=100)
    run_ids = []
    for n in range(4):  # a channel each: Slack allows about one post per second per channel
        emulator.add_channel(f"C0REPORT{n}", f"report-{n}")
        run_ids.append(due_run(ctx, recording_enqueue, name=f"Report {n}", destinations=[
            NewDestination(DestinationKind.SLACK_CHANNEL, f"C0REPORT{n}", f"#report-{n}")]))
    for run_id in run_ids:
        generate(ctx, run_id, recording_enqueue)
    started = time.monotonic()
    assert [deliver(ctx, run_id) for run_id in run_ids] == [RunStatus.DELIVERED] * 4
    assert time.monotonic() - started < 1.5, "the deliveries outlasted the window; the test proves nothing"
    assert ctx.home_refresher.wait_idle(10)  # every refresh the runs asked for is out
    [published] = emulator.calls("views.publish")
    assert published.params["user_id"] == ALICE
    home = str(emulator.home_view(ALICE))
    assert all(f"Report {n}" in home for n in range(4))
