"""The operator's view: `reportbot status` figures and the Prometheus metrics served at /metrics."""

from __future__ import annotations

import urllib.request

from bot.web.server import ServerThread, build_wsgi
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.metrics import render_metrics
from jobs.overview import collect_status, format_status
from jobs.tick import tick
from tests.factories import make_schedule


def _one_delivered_run(ctx, enqueue) -> None:
    with ctx.database.session() as s:
        slot = make_schedule(s).next_run_at
        make_schedule(s, name="Paused one").status = "paused"
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, enqueue).created
    generate(ctx, run_id, enqueue)
    deliver(ctx, run_id)


def test_status_counts_schedules_runs_and_deliveries(job_context, recording_enqueue):
    _one_delivered_run(job_context, recording_enqueue)
    status = collect_status(job_context)
    assert status.schedules == {"active": 1, "paused": 1}
    assert status.runs_last_24h == {"delivered": 1}
    assert status.deliveries_last_24h == {"slack_channel:sent": 1}
    assert set(status.queue_depth) == {"clock", "interactive", "reports", "deliveries"}
    text = format_status(status)
    assert "active 1" in text and "delivered 1" in text


def test_metrics_endpoint_exposes_the_app_figures(job_context, recording_enqueue):
    _one_delivered_run(job_context, recording_enqueue)
    assert b'reportbot_schedules{status="active"} 1.0' in render_metrics(job_context)
    thread = ServerThread(build_wsgi(None, job_context.database))
    thread.start()
    try:
        base = thread.url.rsplit("/slack/events", 1)[0]
        from jobs.context import set_context

        previous = set_context(job_context)
        try:
            body = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
        finally:
            set_context(previous)
        assert 'reportbot_deliveries_last_24h{channel="slack_channel",outcome="sent"} 1.0' in body
        assert "reportbot_queue_depth" in body and "reportbot_tick_seconds" in body
        assert urllib.request.urlopen(f"{base}/healthz", timeout=10).read() == b"ok"
        assert urllib.request.urlopen(f"{base}/readyz", timeout=10).read() == b"ready"
    finally:
        thread.stop()


def test_status_checks_each_data_source_when_asked(job_context, monkeypatch, tmp_path):
    import sqlite3

    path = tmp_path / "shop.db"
    sqlite3.connect(path).close()
    monkeypatch.setenv("REPORTBOT_SOURCE_SHOP", f"sqlite:///{path}")
    monkeypatch.setenv("REPORTBOT_SOURCE_GONE", f"sqlite:///{tmp_path / 'missing' / 'gone.db'}")
    assert collect_status(job_context).data_sources == []  # a metrics scrape connects to nothing
    text = format_status(collect_status(job_context, data_sources=True))
    assert "Data sources:" in text and "shop (sqlite): ok" in text and "gone (sqlite): unreachable" in text
