"""Every view and message the app builds stays within Slack's Block Kit limits, checked with the
emulator's validators on the largest inputs people can produce (the scenario tests check the rest
through the emulator, which validates whatever it is sent)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.forms import ScheduleForm
from bot.metadata import ChatRequest, ModalMeta
from bot.readback import read_back
from bot.respond import info_view
from bot.views.chat import chat_help, confirmation, intro, understood_create
from bot.views.modal import ModalContext, schedule_modal
from bot.views.replies import (
    delete_confirmation,
    history,
    schedule_detail,
    schedule_list,
)
from jobs.views.home import PAGE_SIZE, HomeData, ScheduleCard, build_home_view
from jobs.views.progress import progress_finished, progress_started_blocks
from jobs.views.run_message import DestinationResult, FileLink, RunOutcome
from reports.registry import Param, ReportType, all_report_types
from reports.renderers import available_formats
from slack_emulator import validate_blocks, validate_view
from storage.models import Destination, Schedule
from tests.support.people import ADMIN, ALICE, SALES, TEAM

NOW = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
LONG = "Quarterly revenue by region and product line " * 10  # far over every limit


def schedule(n: int = 1, name: str = LONG[:200]) -> Schedule:
    from jobs.cadence import parse

    cadence = parse("every weekday at 9am", "Europe/Berlin")
    row = Schedule(id=n, team_id=TEAM, name=name, name_key=name.lower(), owner_user_id=ALICE,
                   report_type="demo_sales", params={"region": "North", "note": LONG}, formats=["csv", "xlsx"],
                   cadence_text=LONG, cadence=cadence.to_json(), timezone="Europe/Berlin", status="active",
                   skip_if_empty=True, next_run_at=NOW + dt.timedelta(hours=5))
    row.destinations = [Destination(kind="slack_channel", target=f"C{i:08d}", label=f"#{'x' * 79}") for i in range(20)]
    return row


def outcome(status: str = "partial", destinations: int = 20) -> RunOutcome:
    files = tuple(FileLink(f"{'f' * 200}.csv", f"https://acme.slack.com/files/U/F{i}/{'f' * 200}.csv")
                  for i in range(4))
    return RunOutcome(run_id=123456, schedule_id=1, name=LONG[:200], status=status, row_count=10**9,
                      error="; ".join(f"slack_channel:C{i}: {LONG}" for i in range(10)),
                      destinations=tuple(DestinationResult(f"#{'y' * 79}", "failed" if i % 2 else "sent",
                                                           LONG if i % 2 else None, files)
                                         for i in range(destinations)))


def test_home_view_at_its_biggest():
    cards = tuple(ScheduleCard(id=n, name=LONG[:200], sentence=LONG, destinations=(f"#{'z' * 79}",) * 20,
                               status=status, owner_user_id=ALICE, timezone="Europe/Berlin",
                               next_run_at=NOW + dt.timedelta(days=3), last_status="failed", last_at=NOW,
                               last_error=LONG * 3)
                  # the statuses repeat for more cards than a page holds: a page takes the first PAGE_SIZE
                  for n, status in zip(range(PAGE_SIZE), ["active", "paused", "error"] * 4, strict=False))
    data = HomeData(user_id=ADMIN, scope="all", is_admin=True, page=1, total=10_000, cards=cards,
                    runs=tuple((outcome(), NOW) for _ in range(20)), now=NOW)
    view = build_home_view(data)
    assert validate_view(view, "home") == [] and len(view["blocks"]) <= 100


def test_empty_home_view():
    data = HomeData(user_id=ALICE, scope="mine", is_admin=False, page=0, total=0, cards=(), runs=(), now=NOW)
    assert validate_view(build_home_view(data), "home") == []


@pytest.mark.parametrize("status", ["delivered", "partial", "failed", "skipped", "canceled"])
def test_progress_messages(status):
    text, blocks = progress_finished(outcome(status))
    assert validate_blocks(blocks) == [] and len(text) <= 3000
    assert validate_blocks(progress_started_blocks(LONG, preview=True)) == []


def many_params_type() -> ReportType:
    params = tuple(Param(f"p{i}", LONG[:300], type=kind, choices=tuple(f"choice {c} {LONG[:100]}" for c in range(150)),
                         help=LONG, max_length=5000, min=1, max=9)
                   for i, kind in enumerate(["text", "integer", "number", "choice", "boolean", "list", "channels"] * 3))
    return ReportType("wide", LONG[:80], LONG, lambda request: None, params)


def test_modal_at_its_biggest():
    types = (many_params_type(), *all_report_types())
    form = ScheduleForm(name=LONG, report_type="wide", params={"p3": "nope", "p0": LONG * 10, "p6": ["C0", "#x"]},
                        cadence_text=LONG, timezone="America/Argentina/ComodRivadavia",
                        channels=[f"C{i:08d}" for i in range(150)], people=[f"U{i:08d}" for i in range(150)],
                        emails=[f"{i}@example.com" for i in range(300)], formats=list(available_formats()))
    context = ModalContext(types, tuple(available_formats()), tuple(f"d{i}.example.com" for i in range(200)), LONG * 10)
    for readback in (None, read_back("every monday at 9", "Europe/Berlin", NOW), read_back(LONG, "UTC", NOW)):
        view = schedule_modal(form, ModalMeta("edit", 10**9, SALES), context, readback)
        assert validate_view(view, "modal") == [], validate_view(view, "modal")
        assert len(view["blocks"]) <= 100


def test_replies_at_their_biggest():
    schedules = [schedule(n) for n in range(100)]
    assert len(schedule_list(schedules, everyone=True)) <= 4000
    detail = schedule_detail(schedules[0], [NOW] * 5, outcome(), NOW, NOW)
    assert validate_blocks(detail.blocks) == [] and len(detail.text) <= 4000
    assert len(history(schedules[0], [(outcome(), NOW)] * 10, NOW)) <= 4000
    assert validate_blocks(delete_confirmation(schedules[0]).blocks) == []
    assert validate_view(info_view(LONG, LONG * 100), "modal") == []


def test_chat_answers_at_their_biggest():
    request = ChatRequest("create", draft=ScheduleForm(name=LONG * 3, cadence_text=LONG,
                                                       channels=[f"C{i:08d}" for i in range(50)]).to_dict())
    assert request.dumps() is None  # too big for a button: only the form is offered
    reply = understood_create([LONG] * 20, LONG * 5, request)
    assert validate_blocks(reply.blocks) == []
    for built in (confirmation(LONG * 10, ChatRequest("pause", 1), "Pause it"), intro(LONG), intro(), chat_help()):
        assert validate_blocks(built.blocks) == [] and len(built.text) <= 4000
