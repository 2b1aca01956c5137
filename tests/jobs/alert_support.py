"""Shared by the alert tests: a real SQLite warehouse the `sql` report reads (its numbers changed
between checks), alert schedules made through the app's own functions, and one check driven the
way the worker drives it (tick → generate → deliver)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from jobs.alerts.batch import check_alerts
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.tick import tick
from reports.conditions import parse_condition
from storage.models import AlertEvaluation, AlertState, Run
from tests.factories import make_schedule
from tests.support.people import ALICE, OPS, TO_OPS

QUERY = "select region, revenue, orders, failed from metrics order by region"


@dataclass
class Warehouse:
    path: Path

    def set(self, *rows: tuple) -> None:
        """Replace the metrics with `rows` of (region, revenue, orders, failed)."""
        with sqlite3.connect(self.path) as conn:
            conn.execute("delete from metrics")
            conn.executemany("insert into metrics values (?, ?, ?, ?)", rows)

    def revenue(self, amount: float) -> None:
        self.set(("North", amount, 40, 1))


def make_warehouse(folder: Path, monkeypatch, *, users: str = ALICE) -> Warehouse:
    path = folder / "warehouse.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table metrics (region text, revenue real, orders integer, failed integer)")
    monkeypatch.setenv("REPORTBOT_SOURCE_WAREHOUSE", f"sqlite:///{path}")
    monkeypatch.setenv("REPORTBOT_SOURCE_WAREHOUSE__USERS", users)
    return Warehouse(path)


def make_alert(ctx, condition: str, *, name: str = "Low revenue", query: str = QUERY, formats=("csv",),
               destinations=(TO_OPS,), cadence: str = "every hour") -> tuple[int, dt.datetime]:
    """An alert schedule on the warehouse; return its id and first slot."""
    with ctx.database.session() as s:
        schedule = make_schedule(s, name=name, cadence_text=cadence, report_type="sql",
                                 params={"source": "warehouse", "query": query}, formats=list(formats),
                                 destinations=list(destinations), condition=parse_condition(condition).to_json())
        return schedule.id, schedule.next_run_at


def check(ctx, enqueue, slot: dt.datetime) -> tuple[str, int]:
    """Move the clock to `slot`, tick, and run the message the tick sent for the alert's run as a
    worker would (a batch of checks), then deliver what it decided to tell."""
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, enqueue).created
    [(run_ids, phase, _)] = [call for call in enqueue.calls if call[1] == "check_alerts" and run_id in call[0]]
    [outcome] = check_alerts(ctx, run_ids, enqueue)
    if outcome == "notifying":  # its own message renders it, then delivery
        assert enqueue.calls[-1] == (run_id, "generate", 0)
        assert generate(ctx, run_id, enqueue) == "notifying"
        deliver(ctx, run_id)
    return outcome, run_id


def checks(ctx, enqueue, first_slot: dt.datetime, warehouse: Warehouse, revenues, *, every=dt.timedelta(hours=1)):
    """One check per revenue figure (None: no rows), one slot apart; return each check's outcome."""
    outcomes = []
    for i, revenue in enumerate(revenues):
        if revenue is None:
            warehouse.set()
        else:
            warehouse.revenue(revenue)
        outcomes.append(check(ctx, enqueue, first_slot + every * i)[0])
    return outcomes


def alert_posts(emulator, channel: str = OPS) -> list[dict]:
    return emulator.messages(channel)


def first_text(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def evaluations(ctx, schedule_id: int) -> list[AlertEvaluation]:
    with ctx.database.session() as s:
        return list(s.scalars(select(AlertEvaluation).where(AlertEvaluation.schedule_id == schedule_id)
                              .order_by(AlertEvaluation.id)))


def alert_state(ctx, schedule_id: int) -> AlertState:
    with ctx.database.session() as s:
        return s.get(AlertState, schedule_id)


def runs(ctx, schedule_id: int) -> list[Run]:
    with ctx.database.session() as s:
        found = list(s.scalars(select(Run).where(Run.schedule_id == schedule_id).order_by(Run.id)))
        return found
