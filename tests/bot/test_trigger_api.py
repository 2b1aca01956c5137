"""The trigger API starts runs for other systems, authenticated per workspace."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from bot.web.server import ServerThread, build_wsgi
from storage.models import AuditEvent
from storage.tokens import create_token
from tests.conftest import SIGNING_SECRET
from tests.factories import make_schedule
from tests.support.people import OTHER_TEAM, TEAM


@pytest.fixture
def api(job_context, emulator, recording_enqueue):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=SIGNING_SECRET, app_token=None, port=0)
    deps = BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings)
    server = ServerThread(build_wsgi(create_app(deps), job_context.database, deps))
    server.start()
    yield server.url.replace("/slack/events", "/api/v1/runs")
    server.stop()


def _post(url: str, body, token: str | None = None) -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_token_starts_a_run_once_and_only_in_its_workspace(api, job_context, recording_enqueue):
    with job_context.database.session() as s:
        schedule_id = make_schedule(s).id
        make_schedule(s, name="Elsewhere", team_id=OTHER_TEAM)
        token = create_token(s, TEAM, "ci pipeline")
    status, body = _post(api, {"schedule": "daily sales"}, token)
    assert status == 202 and body["schedule_id"] == schedule_id
    assert recording_enqueue.calls == [(body["run_id"], "generate_now", 0)]
    assert _post(api, {"schedule": str(schedule_id)}, token)[0] == 409  # one run at a time
    assert _post(api, {"schedule": "elsewhere"}, token)[0] == 404  # another workspace's schedule


@pytest.mark.parametrize(("body", "token", "status"), [
    ({"schedule": "daily sales"}, None, 401),
    ({"schedule": "daily sales"}, "rbt_wrong", 401),
    ({"schedule": "daily sales"}, "xoxb-test-not-a-trigger-token", 401),
    (b"not json", "VALID", 400),
    ({"name": "daily sales"}, "VALID", 400),
    (b"", "VALID", 400),
    (b"[" * 10_000, "VALID", 400),  # nested deeper than the parser's recursion limit
    (b'{"schedule": "' + b"x" * 20_000 + b'"}', "VALID", 413),
    (b'{"schedule": "' + b"x" * 20_000 + b'"}', "rbt_wrong", 401),  # the token is checked before the body
])
def test_bad_requests_are_refused_clearly(api, job_context, body, token, status):
    with job_context.database.session() as s:
        make_schedule(s)
        valid = create_token(s, TEAM)
    got, answer = _post(api, body, valid if token == "VALID" else token)
    assert got == status and answer["error"]


def test_the_audit_record_names_the_caller_not_what_it_claims(api, job_context):
    with job_context.database.session() as s:
        make_schedule(s)
        token = create_token(s, TEAM)
    request = urllib.request.Request(api, data=json.dumps({"schedule": "daily sales"}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": "10.9.8.7"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
    with job_context.database.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "run_now"))
    assert event.surface == "api" and event.details["ip"] == "127.0.0.1"  # no trusted proxy is configured


def test_an_api_run_is_told_apart_and_may_ask_for_another_period(api, job_context):
    from storage.models import Run

    with job_context.database.session() as s:
        make_schedule(s, name="Weekly sales", cadence_text="every monday at 9")
        make_schedule(s, name="Daily sales")
        token = create_token(s, TEAM, "ci pipeline")
    status, body = _post(api, {"schedule": "weekly sales", "period": "last month"}, token)
    assert status == 202
    assert _post(api, {"schedule": "daily sales", "period": "the fortnight"}, token)[0] == 400
    assert _post(api, {"schedule": "daily sales", "period": "last month"}, "rbt_wrong")[0] == 401  # who first
    with job_context.database.session() as s:
        run = s.get(Run, body["run_id"])
        assert (run.trigger, run.triggered_by, run.period) == ("api", "api", {"kind": "previous_month", "n": 7})
