import dataclasses, datetime as dt, json
import pytest
from sqlalchemy import select
from storage.models import Artifact, AuditEvent, Delivery, Run, Schedule
from storage.models.schedules import DestinationKind
from storage.schedules import NewDestination
from tests.bot.api_support import Api, conforms, problem, token_for
from tests.bot.conftest import ADMIN, ALICE, BOB, SALES, serve_app
from tests.factories import WINTER, make_schedule
from tests.bot.test_rest_api import DAILY, api  # noqa

def show(label, r):
    print(label, r.status, r.headers.get("Content-Type"), r.body[:300])

def test_probe(api, ctx, people):
    t = token_for(ctx.database, acting_as=ALICE)
    for label, body in [
        ("nan", b'{"name":"x","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]},"params":{"a":1e400}}'),
        ("NaN", b'{"name":"x2","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]},"params":{"a":NaN}}'),
        ("bigint", b'{"name":"x3","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]},"params":{"a":' + b"9"*4000 + b'}}'),
        ("nul", b'{"name":"a\\u0000b","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("surrogate", b'{"name":"a\\ud800b","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("surrogate-desc", b'{"name":"ok1","description":"\\udfff","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("deep", b'{"name":' + b"[" * 3000 + b"]" * 3000 + b'}'),
        ("array", b'[1,2]'),
        ("null", b'null'),
        ("badutf8", b'{"name":"\xff\xfe","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("dupkeys", b'{"name":"d1","name":"d2","cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("tagsnul", b'{"name":"t1","tags":["a\\u0000"],"cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("regioninf", b'{"name":"t3","params":{"region":1e400},"cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("regionbig", b'{"name":"t4","params":{"region":99999999999999999999999},"cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("regionlist", b'{"name":"t5","params":{"region":["a","b"]},"cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
        ("paramkeynul", b'{"name":"t2","params":{"a\\u0000":"x"},"cadence":"every day at 9","destinations":{"channels":["C0SALES01"]}}'),
    ]:
        show(label, api.call("POST", "/schedules", body, token=t))
    for path in ["/schedules/1/../2", "/schedules/1%2F..%2F2", "/schedules/", "/schedules//1", "/", "", "/schedules/%31",
                 "/schedules/99999999999999999999", "/schedules/%D9%A1", "/schedules?limit=1e2", "/schedules?limit=5&limit=500",
                 "/schedules?cursor=" + "A"*300, "/schedules?" + "a=b&"*1000, "/schedules?owner=%00", "/schedules?tag=%FF"]:
        show(path, api.call("GET", path, token=t))
    show("HEAD", api.call("HEAD", "/schedules", token=t))
    show("OPTIONS", api.call("OPTIONS", "/schedules", token=t))
    show("DELETE-coll", api.call("DELETE", "/schedules", token=t))
    show("bearer-lower", api.call("GET", "/schedules", headers={"Authorization": "bearer " + t}))
    show("basic", api.call("GET", "/schedules", headers={"Authorization": "Basic " + t}))
    show("nonascii-token", api.call("GET", "/schedules", headers={"Authorization": "Bearer rbt_\u00e9"}))
    show("idem-nonascii", api.call("POST", "/schedules", DAILY, token=t, headers={"Idempotency-Key": "\u00e9"}))

def test_probe_deactivated(api, ctx, people):
    people.add_user("U0GONE001", "gone", deleted=True)
    people.add_user("U0GUEST01", "guest", guest="multi")
    with ctx.database.session() as s:
        sid = make_schedule(s, name="Gone's", owner="U0GONE001",
                            destinations=[NewDestination(DestinationKind.SLACK_USER, "U0GONE001", "@gone")]).id
        s.add(Run(schedule_id=sid, scheduled_for=WINTER, status="delivered", trigger="schedule"))
    t = token_for(ctx.database, acting_as="U0GONE001")
    show("gone list", api.call("GET", "/schedules", token=t))
    show("gone get", api.call("GET", f"/schedules/{sid}", token=t))
    show("gone runs", api.call("GET", f"/schedules/{sid}/runs", token=t))
    w = token_for(ctx.database)
    show("ws owner guest", api.call("POST", "/schedules", {**DAILY, "owner": "U0GUEST01"}, token=w))
    show("ws owner gone", api.call("POST", "/schedules", {**DAILY, "owner": "U0GONE001"}, token=w))
    show("ws owner nobody", api.call("POST", "/schedules", {**DAILY, "owner": "U0NOBODY1"}, token=w))
    show("ws owner weird", api.call("POST", "/schedules", {**DAILY, "owner": "../x"}, token=w))
