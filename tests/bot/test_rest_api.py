"""The REST API: schedules and runs for other systems, with a person's (or the workspace's) powers,
through the same checks as Slack; served for real on loopback against the Slack emulator."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from bot.web.api.problems import ApiProblem
from bot.web.api.rate_limit import RedisRateLimiter
from storage.filestore import ArtifactStore
from storage.filestore.crypto import Keyring, new_key
from storage.models import Artifact, AuditEvent, Delivery, Run, Schedule
from storage.models.schedules import DestinationKind
from storage.models.tokens import ApiIdempotencyKey
from storage.schedules import NewDestination
from storage.tokens import list_tokens, revoke_tokens
from storage.workspace import workspace_settings_for_update
from tests.bot.api_support import Api, conforms, problem, token_for
from tests.bot.conftest import ADMIN, ALICE, BOB, SALES, serve_app
from tests.factories import WINTER, make_schedule
from tests.support.network import free_port
from tests.support.people import GONE_PERSON, OTHER_TEAM, TEAM
from tests.support.tls_receiver import HOST, Resolver

DAILY = {"name": "Daily sales", "cadence": "every weekday at 9am", "timezone": "Europe/Berlin",
         "destinations": {"channels": [SALES]}, "tags": ["Finance"], "description": "for the morning call"}


@pytest.fixture
def api(ctx, people, recording_enqueue):
    url, server = serve_app(ctx, people, recording_enqueue, api_rate_per_minute=1000)
    yield Api(url.replace("/slack/events", "/api/v1"))
    server.stop()


def _audit(ctx, action: str) -> list[AuditEvent]:
    with ctx.database.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_person_creates_a_schedule_and_hears_it_read_back(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    reply = api.call("POST", "/schedules", DAILY, token=token)
    assert reply.status == 201, reply.body
    body = conforms(reply, "ScheduleOut")
    assert body["owner"] == ALICE and body["status"] == "active" and body["tags"] == ["finance"]
    assert "weekday" in body["cadence"]["read_back"].lower() and body["period"].startswith("Covers")
    runs = body["cadence"]["next_runs"]
    assert len(runs) == 5 and runs[0]["local"].startswith("2026-11-23T09:00:00+01:00")
    assert runs[0]["utc"].startswith("2026-11-23T08:00:00") and "CET" in runs[0]["words"]
    assert reply.headers["Location"] == f"/api/v1/schedules/{body['id']}"
    [event] = _audit(ctx, "create")
    assert (event.surface, event.actor, event.schedule_id) == ("api", ALICE, body["id"])


def test_a_webhook_added_through_the_api_answers_its_secret_once_and_is_shown_by_host(api, ctx):
    ctx.webhooks = dataclasses.replace(ctx.webhooks, resolve=Resolver({HOST: ["93.184.215.14"]}))
    with ctx.database.session() as s:
        workspace_settings_for_update(s, TEAM).webhook_hosts = [HOST]
        s.commit()
    token = token_for(ctx.database, acting_as=ALICE)
    hook = f"https://{HOST}/in/t0k3n-in-the-path"
    refused = problem(api.call("POST", "/schedules", {**DAILY, "destinations": {"webhooks": [
        "https://elsewhere.example.org/x"]}}, token=token), 422)
    assert [e["field"] for e in refused["errors"]] == ["destinations.webhooks"]
    assert "not on this workspace's list of webhook hosts" in refused["errors"][0]["message"]
    reply = api.call("POST", "/schedules", {**DAILY, "destinations": {"webhooks": [hook]}}, token=token)
    body = conforms(reply, "ScheduleOut")
    [shown] = body["webhook_secrets"]
    assert shown["destination"] == f"webhook {HOST}" and shown["secret"].startswith("whsec_")
    assert body["destinations"] == [{"kind": "webhook", "target": HOST, "label": f"webhook {HOST}"}]
    again = conforms(api.call("GET", f"/schedules/{body['id']}", token=token), "ScheduleOut")
    assert again["webhook_secrets"] is None and "t0k3n" not in str(again)
    kept = conforms(api.call("PATCH", f"/schedules/{body['id']}", {"description": "same hook"}, token=token),
                    "ScheduleOut")
    assert kept["webhook_secrets"] is None  # an edit keeps the secret and does not show it again


def test_slack_not_answering_who_someone_is_is_a_503_that_no_key_remembers(api, ctx, people):
    token, workspace = token_for(ctx.database, acting_as=ALICE), token_for(ctx.database)
    people.fail("users.info", error="service_unavailable", times=None)
    refused = problem(api.call("GET", "/schedules", token=token), 503)
    assert refused.get("errors") is None and "try again" in refused["detail"]
    body = {**DAILY, "owner": BOB}
    problem(api.call("POST", "/schedules", body, token=workspace, headers={"Idempotency-Key": "k1"}), 503)
    people.clear_faults()  # Slack answers again: the same key is not stuck on the outage
    assert api.call("POST", "/schedules", body, token=workspace, headers={"Idempotency-Key": "k1"}).status == 201


def test_a_parameter_the_report_does_not_take_is_a_field_error_not_dropped(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    body = problem(api.call("POST", "/schedules", {**DAILY, "params": {"regoin": "EU", "window": "previous_week"}},
                            token=token), 422)
    assert [e["field"] for e in body["errors"]] == ["params.regoin"]
    assert "has no parameter “regoin”; it takes: " in body["errors"][0]["message"]
    with ctx.database.session() as s:
        assert s.scalar(select(Schedule)) is None
    made = conforms(api.call("POST", "/schedules", {**DAILY, "params": {"window": "previous_week"}}, token=token),
                    "ScheduleOut")
    body = problem(api.call("PATCH", f"/schedules/{made['id']}", {"params": {"windw": "x"}}, token=token), 422)
    assert [e["field"] for e in body["errors"]] == ["params.windw"]


def test_a_cron_cadence_is_read_back_in_words(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    body = conforms(api.call("POST", "/schedules", {**DAILY, "cadence": "0 9 * * 1-5"}, token=token), "ScheduleOut")
    assert body["cadence"]["read_back"] and len(body["cadence"]["next_runs"]) == 5


def test_bad_fields_are_problems_naming_each_field(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    body = problem(api.call("POST", "/schedules", {**DAILY, "cadence": "every blursday at 9"}, token=token), 422)
    assert [e["field"] for e in body["errors"]] == ["cadence"]
    body = problem(api.call("POST", "/schedules", {**DAILY, "timezone": "Mars/Olympus", "formats": ["docx"]},
                            token=token), 422)
    assert {e["field"] for e in body["errors"]} == {"timezone", "formats"}
    body = problem(api.call("POST", "/schedules", {"name": "x", "surprise": 1}, token=token), 422)
    assert {"cadence", "destinations", "surprise"} <= {e["field"] for e in body["errors"]}
    problem(api.call("POST", "/schedules", b"{not json", token=token), 400)
    problem(api.call("POST", "/schedules", b'{"name": "' + b"x" * 20_000 + b'"}', token=token), 413)
    with ctx.database.session() as s:
        assert s.scalar(select(Schedule)) is None  # nothing half-written


def test_a_person_cannot_do_through_the_api_what_slack_would_refuse(api, ctx):
    with ctx.database.session() as s:
        private = make_schedule(s, name="Alice only", owner=ALICE,
                                destinations=[NewDestination(DestinationKind.SLACK_USER, ALICE, "@alice")]).id
        shared = make_schedule(s, name="Team sales", owner=ALICE).id  # to #sales, where bob is
    bob = token_for(ctx.database, acting_as=BOB)
    assert "isn't yours" in problem(api.call("GET", f"/schedules/{private}", token=bob), 403)["detail"]
    problem(api.call("PATCH", f"/schedules/{private}", {"name": "Mine now"}, token=bob), 403)
    problem(api.call("POST", f"/schedules/{shared}/pause", token=bob), 403)
    problem(api.call("POST", f"/schedules/{shared}/runs", token=bob), 403)
    seen = conforms(api.call("GET", f"/schedules/{shared}", token=bob), "ScheduleOut")  # he receives it
    assert seen["access"] == "recipient" and seen["destinations"] is None and seen["params"] is None
    body = problem(api.call("POST", "/schedules", {**DAILY, "destinations": {"channels": ["C0LAUNCH1"]}},
                            token=token_for(ctx.database, acting_as=BOB)), 422)
    assert body["errors"][0]["field"] == "destinations.channels" and "not in #launch" in body["errors"][0]["message"]
    problem(api.call("GET", "/schedules?owner=" + ALICE, token=bob), 403)


def test_the_token_of_someone_who_left_stops_working_at_once(api, ctx, people):
    people.add_user("U0GONE001", "gone", deleted=True)
    with ctx.database.session() as s:
        schedule_id = make_schedule(s, name="Gone's own", owner="U0GONE001", destinations=[
            NewDestination(DestinationKind.SLACK_USER, "U0GONE001", "@gone")]).id
        stored = ctx.artifacts.write_bytes("runs/1/gone.csv", b"region,revenue\n")
        run = Run(schedule_id=schedule_id, scheduled_for=WINTER, status="delivered", trigger="schedule")
        run.artifacts = [Artifact(format="csv", filename="gone.csv", storage_key="runs/1/gone.csv", size=stored.size,
                                  sha256=stored.sha256, content_type="text/csv")]
        s.add(run)
        s.flush()
        run_id, file_id = run.id, run.artifacts[0].id
    token = token_for(ctx.database, acting_as="U0GONE001")
    for path in ("/schedules", f"/schedules/{schedule_id}", f"/schedules/{schedule_id}/runs", f"/runs/{run_id}",
                 f"/runs/{run_id}/files/{file_id}"):
        assert "deactivated" in problem(api.call("GET", path, token=token), 403)["detail"], path


def test_an_owner_made_a_guest_lists_their_schedules_as_a_recipient_at_most(api, ctx, people):
    people.add_user("U0DEMOTED", "demoted", guest="multi")
    with ctx.database.session() as s:
        gets_it = make_schedule(s, name="To them", owner="U0DEMOTED", params={"region": "North"}, destinations=[
            NewDestination(DestinationKind.SLACK_USER, "U0DEMOTED", "@demoted")]).id
        make_schedule(s, name="Elsewhere now", owner="U0DEMOTED", destinations=[
            NewDestination(DestinationKind.SLACK_CHANNEL, "C0LAUNCH1", "#launch")])
    token = token_for(ctx.database, acting_as="U0DEMOTED")
    listed = conforms(api.call("GET", "/schedules", token=token), "SchedulePage")["items"]
    assert [(i["id"], i["access"], i["params"], i["destinations"]) for i in listed] == [
        (gets_it, "recipient", None, None)]  # as GET /schedules/{id} answers them


def test_a_workspace_token_acts_for_an_owner_whose_checks_apply(api, ctx, people):
    token = token_for(ctx.database)
    body = problem(api.call("POST", "/schedules", DAILY, token=token), 422)
    assert body["errors"][0]["field"] == "owner"
    people.add_user(GONE_PERSON, "gone", deleted=True)
    for owner, says in ((GONE_PERSON, f"{GONE_PERSON} can't own schedules: only full members"),
                        ("U0NOBODY1", "Slack could not tell who U0NOBODY1 is")):
        body = problem(api.call("POST", "/schedules", {**DAILY, "owner": owner}, token=token), 422)
        assert [(e["field"], e["message"][:len(says)]) for e in body["errors"]] == [("owner", says)]
    body = problem(api.call("POST", "/schedules", {**DAILY, "owner": BOB, "destinations": {"channels": ["C0LAUNCH1"]}},
                            token=token), 422)
    assert body["errors"][0]["field"] == "destinations.channels"  # bob is not in #launch
    made = conforms(api.call("POST", "/schedules", {**DAILY, "owner": BOB}, token=token), "ScheduleOut")
    assert made["owner"] == BOB
    [event] = _audit(ctx, "create")
    assert (event.actor, event.surface) == ("api", "api")


def test_get_update_pause_resume_delete(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    made = api.call("POST", "/schedules", DAILY, token=token).json
    path = f"/schedules/{made['id']}"
    assert conforms(api.call("GET", path, token=token), "ScheduleOut")["name"] == "Daily sales"
    changed = conforms(api.call("PATCH", path, {"cadence": "every monday at 10am", "tags": ["board"]}, token=token),
                       "ScheduleOut")
    assert "monday" in changed["cadence"]["read_back"].lower() and changed["tags"] == ["board"]
    assert changed["name"] == "Daily sales" and changed["destinations"][0]["target"] == SALES  # kept
    problem(api.call("PATCH", path, {"cadence": "whenever"}, token=token), 422)
    paused = conforms(api.call("POST", f"{path}/pause", token=token), "ScheduleOut")
    assert paused["status"] == "paused" and paused["next_run_at"] is None
    resumed = conforms(api.call("POST", f"{path}/resume", token=token), "ScheduleOut")
    assert resumed["status"] == "active" and resumed["next_run_at"]
    assert api.call("DELETE", path, token=token).status == 204
    problem(api.call("GET", path, token=token), 404)
    actions = [e.action for e in _audit(ctx, "edit") + _audit(ctx, "pause") + _audit(ctx, "resume")
               + _audit(ctx, "delete")]
    assert actions == ["edit", "pause", "resume", "delete"]
    assert {e.surface for e in _audit(ctx, "delete")} == {"api"}


def test_list_pages_and_filters(api, ctx):
    with ctx.database.session() as s:
        ids = [make_schedule(s, name=f"Report {n}", owner=ALICE if n % 2 else BOB,
                             tags=["finance"] if n < 3 else []).id for n in range(5)]
        s.get(Schedule, ids[4]).status = "paused"
        make_schedule(s, name="Elsewhere", team_id=OTHER_TEAM)
    token = token_for(ctx.database, scopes=("read",))
    first = conforms(api.call("GET", "/schedules?limit=2", token=token), "SchedulePage")
    assert [i["id"] for i in first["items"]] == ids[:2] and first["next_cursor"]
    second = api.call("GET", f"/schedules?limit=2&cursor={first['next_cursor']}", token=token).json
    third = api.call("GET", f"/schedules?limit=2&cursor={second['next_cursor']}", token=token).json
    assert [i["id"] for i in second["items"] + third["items"]] == ids[2:] and third["next_cursor"] is None
    ids_of = lambda query: [i["id"] for i in api.call("GET", f"/schedules?{query}", token=token).json["items"]]  # noqa: E731
    assert ids_of("status=paused") == [ids[4]]
    assert ids_of(f"owner={BOB}") == [ids[0], ids[2], ids[4]]
    assert ids_of("tag=finance&status=active") == ids[:3]
    assert ids_of(f"owner={ALICE}&tag=finance") == [ids[1]]
    problem(api.call("GET", "/schedules?limit=500", token=token), 422)
    assert problem(api.call("GET", "/schedules?cursor=bogus", token=token), 422)["errors"][0]["field"] == "cursor"
    mine = token_for(ctx.database, acting_as=ALICE)  # a person lists their own, as in Slack
    assert [i["id"] for i in api.call("GET", "/schedules", token=mine).json["items"]] == [ids[1], ids[3]]


def test_runs_with_deliveries_files_and_downloads(api, ctx):
    data = b"region,revenue\nnorth,100\n" * 1000
    with ctx.database.session() as s:
        schedule_id = make_schedule(s).id
        stored = ctx.artifacts.write_bytes("runs/1/daily.csv", data)
        for n in range(3):
            run = Run(schedule_id=schedule_id, scheduled_for=WINTER + dt.timedelta(days=n), status="delivered",
                      trigger="schedule")
            run.deliveries = [Delivery(destination=f"slack_channel:{SALES}", status="sent", attempts=1)]
            run.artifacts = [Artifact(format="csv", filename="daily.csv", storage_key="runs/1/daily.csv",
                                      size=stored.size, sha256=stored.sha256, content_type="text/csv")]
            s.add(run)
    token = token_for(ctx.database, scopes=("read",))
    page = conforms(api.call("GET", f"/schedules/{schedule_id}/runs?limit=2", token=token), "RunPage")
    assert len(page["items"]) == 2 and page["items"][0]["id"] > page["items"][1]["id"] and page["next_cursor"]
    rest = api.call("GET", f"/schedules/{schedule_id}/runs?cursor={page['next_cursor']}", token=token).json
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    run = conforms(api.call("GET", f"/runs/{page['items'][0]['id']}", token=token), "RunOut")
    assert run["deliveries"][0]["destination"] == f"slack_channel:{SALES}" and run["deliveries"][0]["status"] == "sent"
    [file] = run["files"]
    download = api.call("GET", file["download"].removeprefix("/api/v1"), token=token)
    assert download.status == 200 and download.body == data
    assert download.headers["Content-Type"] == "text/csv" and "daily.csv" in download.headers["Content-Disposition"]
    problem(api.call("GET", f"/runs/{run['id']}/files/99999", token=token), 404)
    [event] = _audit(ctx, "download")
    assert (event.surface, event.actor, event.details["file"]) == ("api", "api", "daily.csv")


def test_a_runs_webhook_delivery_is_named_by_its_host_not_its_url(api, ctx):
    hook = "https://hooks.example.com/in/t0k3n-in-the-path?key=s3cret"
    with ctx.database.session() as s:
        schedule_id = make_schedule(s).id
        run = Run(schedule_id=schedule_id, scheduled_for=WINTER, status="delivered", trigger="schedule")
        run.deliveries = [Delivery(destination=f"webhook:{hook}", status="failed", attempts=3,
                                   last_error="the webhook at hooks.example.com answered 404 Not Found")]
        s.add(run)
        s.flush()
        run_id = run.id
    token = token_for(ctx.database, scopes=("read",))
    for reply in (api.call("GET", f"/runs/{run_id}", token=token),
                  api.call("GET", f"/schedules/{schedule_id}/runs", token=token)):
        assert reply.status == 200 and b"t0k3n" not in reply.body and b"s3cret" not in reply.body
    [delivery] = api.call("GET", f"/runs/{run_id}", token=token).json["deliveries"]
    assert delivery["destination"] == "webhook:hooks.example.com"


def test_run_now_and_the_trigger_share_the_rules(api, ctx, recording_enqueue):
    with ctx.database.session() as s:
        schedule_id = make_schedule(s, cadence_text="every monday at 9").id
    token = token_for(ctx.database, acting_as=ALICE, scopes=("run",))
    started = conforms(api.call("POST", f"/schedules/{schedule_id}/runs", {"period": "last month"}, token=token),
                       "RunStarted")
    assert started["schedule_id"] == schedule_id and started["covers"]
    assert recording_enqueue.calls == [(started["run_id"], "generate_now", 0)]
    problem(api.call("POST", f"/schedules/{schedule_id}/runs", token=token), 409)  # one at a time
    body = problem(api.call("POST", f"/schedules/{schedule_id}/runs", {"period": "the fortnight"}, token=token), 422)
    assert body["errors"][0]["field"] == "period"
    with ctx.database.session() as s:
        run = s.get(Run, started["run_id"])
        assert (run.trigger, run.triggered_by, run.period["kind"]) == ("api", ALICE, "previous_month")
    [event] = _audit(ctx, "run_now")
    assert (event.surface, event.actor) == ("api", ALICE)


def test_scopes_are_enforced(api, ctx):
    with ctx.database.session() as s:
        schedule_id = make_schedule(s).id
    reader, runner = token_for(ctx.database, scopes=("read",)), token_for(ctx.database, scopes=("run",))
    assert "`write`" in problem(api.call("POST", "/schedules", {**DAILY, "owner": ALICE}, token=reader), 403)["detail"]
    problem(api.call("DELETE", f"/schedules/{schedule_id}", token=reader), 403)
    problem(api.call("POST", f"/schedules/{schedule_id}/runs", token=reader), 403)
    problem(api.call("GET", f"/schedules/{schedule_id}", token=runner), 403)
    assert api.call("POST", f"/schedules/{schedule_id}/runs", token=runner).status == 202


def test_another_workspaces_schedule_is_not_found(api, ctx):
    with ctx.database.session() as s:
        theirs = make_schedule(s, name="Theirs", team_id=OTHER_TEAM).id
    token = token_for(ctx.database)
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/pause"), ("POST", "/runs"),
                         ("GET", "/runs")):
        problem(api.call(method, f"/schedules/{theirs}{path}", {} if method == "PATCH" else None, token=token), 404)


def test_tokens_wrong_missing_or_revoked_are_refused_before_the_body(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    assert api.call("GET", "/schedules", token=token).status == 200
    with ctx.database.session() as s:
        assert revoke_tokens(s, TEAM) == 1
    assert problem(api.call("GET", "/schedules", token=token), 401)
    problem(api.call("GET", "/schedules"), 401)
    problem(api.call("POST", "/schedules", b"x" * 20_000, token="rbt_wrong"), 401)  # not 413: who first
    assert api.call("GET", "/schedules", token=token).headers["WWW-Authenticate"].startswith("Bearer")


def test_idempotency_keys_replay_and_refuse_another_body(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    key = {"Idempotency-Key": "create-daily-1"}
    first = api.call("POST", "/schedules", DAILY, token=token, headers=key)
    again = api.call("POST", "/schedules", DAILY, token=token, headers=key)
    assert first.status == again.status == 201 and first.json == again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    problem(api.call("POST", "/schedules", {**DAILY, "name": "Other"}, token=token, headers=key), 422)
    with ctx.database.session() as s:
        assert len(list(s.scalars(select(Schedule)))) == 1
    # Another token's key space is its own.
    assert api.call("POST", "/schedules", {**DAILY, "name": "Other"}, token=token_for(ctx.database, acting_as=ALICE),
                    headers=key).status == 201


def test_a_key_reused_for_another_request_leaves_the_first_answer_in_place(api, ctx):
    token = token_for(ctx.database, acting_as=ALICE)
    key = {"Idempotency-Key": "create-daily-2"}
    first = api.call("POST", "/schedules", DAILY, token=token, headers=key)
    problem(api.call("POST", "/schedules", {**DAILY, "name": "Other"}, token=token, headers=key), 422)
    again = api.call("POST", "/schedules", DAILY, token=token, headers=key)  # the client's retry of the first
    assert first.status == again.status == 201 and again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_replayed_answer_keeps_its_webhook_secrets_sealed_at_rest(api, ctx, tmp_path):
    ctx.artifacts = ArtifactStore(tmp_path / "sealed", keyring=Keyring.from_setting(new_key()))
    ctx.webhooks = dataclasses.replace(ctx.webhooks, resolve=Resolver({HOST: ["93.184.215.14"]}))
    with ctx.database.session() as s:
        workspace_settings_for_update(s, TEAM).webhook_hosts = [HOST]
    token = token_for(ctx.database, acting_as=ALICE)
    key = {"Idempotency-Key": "with-a-webhook"}
    body = {**DAILY, "destinations": {"webhooks": [f"https://{HOST}/in"]}}
    first = api.call("POST", "/schedules", body, token=token, headers=key)
    [shown] = conforms(first, "ScheduleOut")["webhook_secrets"]
    with ctx.database.session() as s:
        [kept] = s.scalars(select(ApiIdempotencyKey)).all()
        assert shown["secret"] not in json.dumps(kept.response)  # sealed like the destination's own copy
    again = api.call("POST", "/schedules", body, token=token, headers=key)  # the first answer was lost on the way
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json


def test_the_rate_limit_answers_429_with_retry_after(ctx, people, recording_enqueue):
    url, server = serve_app(ctx, people, recording_enqueue, api_rate_per_minute=3)
    try:
        api = Api(url.replace("/slack/events", "/api/v1"))
        token, other = token_for(ctx.database), token_for(ctx.database)
        assert [api.call("GET", "/schedules", token=token).status for _ in range(3)] == [200, 200, 200]
        limited = api.call("GET", "/schedules", token=token)
        problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert api.call("GET", "/schedules", token=other).status == 200  # per token
    finally:
        server.stop()


@pytest.mark.redis
def test_with_redis_every_web_process_counts_against_one_limit(ctx, people, recording_enqueue, redis_url):
    import redis

    ctx.settings = dataclasses.replace(ctx.settings, redis_url=redis_url)
    token = token_for(ctx.database)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("reportbot:api-rate:*"):  # counts an earlier test left for the same token id
        client.delete(key)
    servers = [serve_app(ctx, people, recording_enqueue, api_rate_per_minute=3) for _ in range(2)]  # two web processes
    try:
        first, second = (Api(url.replace("/slack/events", "/api/v1")) for url, _ in servers)
        taken = [api.call("GET", "/schedules", token=token).status for api in (first, second, first)]
        assert taken == [200, 200, 200]
        limited = second.call("GET", "/schedules", token=token)  # its own count is 1: the shared one is 3
        problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    finally:
        for _, server in servers:
            server.stop()


def test_a_limiter_whose_redis_is_gone_counts_in_its_process(caplog):
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", 2)  # nothing listens there
    for _ in range(2):
        limiter.check(7, WINTER)
    with pytest.raises(ApiProblem) as refused:
        limiter.check(7, WINTER)
    assert refused.value.status == 429 and "Redis unreachable" in caplog.text


def test_unknown_routes_and_methods_are_problems(api, ctx):
    token = token_for(ctx.database)
    problem(api.call("GET", "/nothing-here", token=token), 404)
    not_allowed = api.call("PUT", "/schedules", token=token)
    problem(not_allowed, 405)
    assert not_allowed.headers["Allow"] == "GET, HEAD, POST"  # RFC 9110: a 405 names what the path answers
    assert api.call("DELETE", "/runs/1/files/2", token=token).headers["Allow"] == "GET, HEAD"


def test_an_unexpected_error_is_a_problem_with_an_id_that_is_in_the_log(api, ctx, caplog):
    token = token_for(ctx.database, acting_as=ALICE)
    with ctx.database.session() as s:  # storage broken under the API's feet
        s.execute(text("DROP TABLE api_idempotency_keys"))
    reply = api.call("POST", "/schedules", DAILY, token=token, headers={"Idempotency-Key": "k"})
    body = problem(reply, 500)
    assert body["error_id"] in body["detail"] and body["error_id"] in caplog.text
    assert "Traceback" not in reply.body.decode() and "sqlite" not in reply.body.decode().lower()


def test_an_admins_token_made_in_slack_acts_as_them(slack, ctx):
    reply = slack.command("admin token create read,write ci", user_id=ADMIN)
    token = reply.split("`")[1]
    assert token.startswith("rbt_")
    assert "acts as <@U0ADMIN01>" in slack.command("admin token list", user_id=ADMIN)
    assert "Only workspace admins" in slack.command("admin token list", user_id=ALICE)
    api = Api(slack.url.replace("/slack/events", "/api/v1"))
    assert api.call("GET", "/schedules", token=token).status == 200
    problem(api.call("POST", "/schedules/1/runs", token=token), 403)  # no run scope
    with ctx.database.session() as s:
        [made] = list_tokens(s, TEAM)
        token_id = made.id
    assert "Revoked token" in slack.command(f"admin token revoke {token_id}", user_id=ADMIN)
    problem(api.call("GET", "/schedules", token=token), 401)


def test_the_openapi_document_is_valid_and_matches_the_route_table(api):
    from openapi_spec_validator import validate

    from bot.web.api.routes import PREFIX, ROUTES

    reply = api.call("GET", "/openapi.json")  # no token needed
    assert reply.status == 200
    doc = reply.json
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    documented = {(method.upper(), PREFIX + path) for path, item in doc["paths"].items() for method in item}
    assert documented == {(r.method, r.path) for r in ROUTES}
    for path, item in doc["paths"].items():  # what the dispatcher may answer on any route is documented
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert "500" in statuses, (method, path)
            if method == "post":
                assert {"400", "409", "413", "422"} <= statuses, (method, path)
    assert "414" in doc["paths"]["/schedules"]["get"]["responses"]
    create = doc["paths"]["/schedules"]["post"]
    assert create["x-scope"] == "write" and create["requestBody"]["content"]["application/json"]["schema"][
        "$ref"].endswith("/ScheduleCreate")


@pytest.mark.postgres
def test_create_and_list_on_postgresql(postgres_database, tmp_path, people, recording_enqueue):
    from tests.bot.conftest import unpaced
    from tests.conftest import make_context

    context = unpaced(make_context(postgres_database, tmp_path, people))
    url, server = serve_app(context, people, recording_enqueue)
    try:
        api = Api(url.replace("/slack/events", "/api/v1"))
        token = token_for(postgres_database, acting_as=ALICE)
        made = conforms(api.call("POST", "/schedules", DAILY, token=token, headers={"Idempotency-Key": "k1"}),
                        "ScheduleOut")
        assert api.call("POST", "/schedules", DAILY, token=token, headers={"Idempotency-Key": "k1"}).json == made
        listed = conforms(api.call("GET", "/schedules?tag=finance", token=token), "SchedulePage")
        assert [i["id"] for i in listed["items"]] == [made["id"]]
    finally:
        server.stop()
