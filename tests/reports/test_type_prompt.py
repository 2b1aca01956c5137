"""The Pulse (`prompt`) report against a fake chat-completions endpoint on loopback."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reports.errors import ParameterError
from reports.registry import ReportRequest, get_report_type
from reports.types.chat_client import (
    PACER,
    ChatError,
    ChatNotConfigured,
    ChatSettings,
    _Pacer,
    retry_after_seconds,
)
from reports.types.prompt import parse_attach_params
from reports.window import compute_window
from tests.support.people import ALICE, TEAM

API_KEY = "sk-test-not-a-real-key"
SLOT = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
ANSWER = "# Sales held up\n\n- Revenue **€1.2M**, up 4%\n- West grew fastest\n"


class FakeChat:
    """An OpenAI-compatible /chat/completions endpoint: scripted replies, recorded requests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, object, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # what urllib turns a POST into when it follows a 302
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": None})
                self.send_response(405)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, payload, headers = fake.script.pop(0) if fake.script else (200, fake.reply(ANSWER), {})
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @staticmethod
    def reply(text: str, finish: str = "stop") -> dict:
        return {"id": "chatcmpl-test", "object": "chat.completion", "model": "pulse-test-1",
                "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": text}}]}

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"


def _serve(host: str = "127.0.0.1"):
    fake = FakeChat(host)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def chat():
    yield from _serve()


@pytest.fixture
def elsewhere():
    """A second endpoint on another loopback address: another host as far as any client can tell."""
    yield from _serve("127.0.0.2")


def settings_for(chat: FakeChat, **overrides) -> ChatSettings:
    values = {"base_url": chat.base_url, "model": "pulse-test", "api_key": API_KEY, "timeout": 5,
              "max_retries": 2, "requests_per_minute": 0, "backoff_seconds": 0.5, **overrides}
    return ChatSettings(**values)


def run(settings: ChatSettings | None, sleeps: list | None = None, **params):
    kind = get_report_type("prompt")
    window = compute_window("previous_week", SLOT, "Europe/Berlin")
    services = {"chat_settings": settings} if settings else {}
    services["sleep"] = (sleeps if sleeps is not None else []).append
    request = ReportRequest(params=kind.validate_params({"prompt": "How did sales go?", **params}), window=window,
                            timezone="Europe/Berlin", slot=SLOT, services=services, owner_user_id=ALICE,
                            team_id=TEAM)
    return kind.fetch(request)


def test_the_answer_becomes_the_message_and_a_one_column_table(chat):
    table = run(settings_for(chat))
    assert table.meta["message_markdown"] == ANSWER.strip()
    assert table.column_names == ["answer"]
    assert [r[0] for r in table.rows()] == ["# Sales held up", "- Revenue **€1.2M**, up 4%", "- West grew fastest"]
    assert table.title == "Pulse" and table.meta["model"] == "pulse-test-1"
    (sent,) = chat.requests
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == f"Bearer {API_KEY}"
    assert sent["body"]["model"] == "pulse-test"
    system, user = sent["body"]["messages"]
    assert "Mon 16 Nov – Sun 22 Nov 2026" in system["content"] and "No data is attached" in system["content"]
    assert user == {"role": "user", "content": "How did sales go?"}


def test_another_reports_data_can_be_attached(chat):
    table = run(settings_for(chat), attach="demo_sales", attach_params="view=by_region")
    user = chat.requests[0]["body"]["messages"][1]["content"]
    assert user.startswith("How did sales go?\n\nData: Demo sales (by region) (4 rows; totals: units = ")
    assert "```csv\nregion,units,revenue\n" in user
    assert table.meta["attached"] == "Demo sales (by region)"


def test_attached_rows_are_bounded(chat):
    run(settings_for(chat), attach="demo_sales", attach_params='{"view": "detail"}', attach_rows=3)
    user = chat.requests[0]["body"]["messages"][1]["content"]
    assert "(112 rows, the first 3 below;" in user
    assert user.split("```csv\n")[1].count("\n") == 4  # header + 3 rows


def test_429_and_5xx_are_retried_honouring_retry_after(chat):
    chat.script = [(429, {"error": {"message": "slow down"}}, {"Retry-After": "3"}),
                   (503, b"upstream down", {})]
    sleeps: list[float] = []
    table = run(settings_for(chat), sleeps)
    assert sleeps == [3.0, 1.0]  # Retry-After, then backoff 0.5 × 2^1
    assert len(chat.requests) == 3 and table.meta["chat_attempts"] == 3


def test_a_retry_after_that_is_not_a_number_or_date_falls_back_to_the_backoff(chat):
    chat.script = [(429, b"", {"Retry-After": "soon"}), (503, b"", {"Retry-After": "nan"})]
    sleeps: list[float] = []
    table = run(settings_for(chat), sleeps)
    assert sleeps == [0.5, 1.0] and table.meta["chat_attempts"] == 3


@pytest.mark.parametrize(("header", "seconds"), [
    ("7", 7.0), ("2.5", 2.5), ("-3", 0.0), ("Wed, 25 Nov 2026 08:00:30 GMT", 30.0),
    ("Wed, 25 Nov 2026 07:59:00 GMT", 0.0), ("soon", None), ("", None), ("inf", None), ("1e999", None),
    ("Wed, 99 Nov 2026 08:00:30 GMT", None), ("9" * 400, None),
])
def test_retry_after_is_read_as_seconds_or_a_date_and_nothing_else(header, seconds):
    now = dt.datetime(2026, 11, 25, 8, tzinfo=dt.UTC).timestamp()
    assert retry_after_seconds({"Retry-After": header}, now=now) == seconds


def test_the_waiting_between_attempts_is_bounded_in_total(chat):
    chat.script = [(429, b"", {"Retry-After": "soon"})] * 10
    sleeps: list[float] = []
    with pytest.raises(ChatError, match="still busy after 2 attempts and 50 s of waiting"):
        run(settings_for(chat, max_retries=9, backoff_seconds=50, max_total_wait=120), sleeps)
    assert sleeps == [50] and len(chat.requests) == 2


def test_a_redirect_is_not_followed_so_the_key_stays_with_the_configured_host(chat, elsewhere):
    target = f"{elsewhere.base_url}/chat/completions"
    chat.script = [(302, b"", {"Location": target}), (307, b"", {"Location": target})]
    for _ in range(2):
        with pytest.raises(ChatError, match=r"redirect \(30[27] to http://127.0.0.2\); reportbot does not follow"):
            run(settings_for(chat))
    assert elsewhere.requests == []  # neither the key nor the data went to the other host
    assert [r["auth"] for r in chat.requests] == [f"Bearer {API_KEY}"] * 2


def test_giving_up_after_the_retries_says_what_happened(chat):
    chat.script = [(503, b"", {})] * 3
    with pytest.raises(ChatError, match="answered 503"):
        run(settings_for(chat))
    assert len(chat.requests) == 3


def test_a_rejected_key_is_not_retried_and_not_shown(chat):
    chat.script = [(401, {"error": {"message": f"Incorrect API key provided: {API_KEY}"}}, {})]
    with pytest.raises(ChatError, match="refused reportbot's API key \\(401\\)") as error:
        run(settings_for(chat))
    assert API_KEY not in str(error.value) and len(chat.requests) == 1


def test_a_bad_request_shows_the_endpoints_message(chat):
    chat.script = [(400, {"error": {"message": "model 'pulse-test' does not exist"}}, {})]
    with pytest.raises(ChatError, match="answered 400: model 'pulse-test' does not exist"):
        run(settings_for(chat))


def test_an_unreachable_endpoint_is_retried_then_explained():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ChatSettings(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout=2, max_retries=1,
                            requests_per_minute=0, backoff_seconds=0.25)
    sleeps: list[float] = []
    with pytest.raises(ChatError, match="could not be reached"):
        run(settings, sleeps)
    assert sleeps == [0.25]


def test_a_cut_short_or_empty_answer_is_flagged(chat):
    chat.script = [(200, FakeChat.reply("Partial", finish="length"), {}), (200, FakeChat.reply("  "), {})]
    assert "cut short" in run(settings_for(chat)).meta["message_markdown"]
    with pytest.raises(ChatError, match="empty answer"):
        run(settings_for(chat))


def test_off_unless_an_admin_configures_it(monkeypatch):
    for key in ("REPORTBOT_LLM_BASE_URL", "REPORTBOT_LLM_MODEL", "REPORTBOT_LLM_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ChatNotConfigured, match="The Pulse report is off: a reportbot admin must set "
                                                "REPORTBOT_LLM_BASE_URL and REPORTBOT_LLM_MODEL"):
        run(None)


def test_settings_come_from_the_environment():
    assert ChatSettings.from_env({"REPORTBOT_LLM_MODEL": "m"}) is None
    settings = ChatSettings.from_env({"REPORTBOT_LLM_BASE_URL": "https://llm.example/v1", "REPORTBOT_LLM_MODEL": "m",
                                      "REPORTBOT_LLM_API_KEY": API_KEY, "REPORTBOT_LLM_REQUESTS_PER_MINUTE": "6",
                                      "REPORTBOT_LLM_MAX_TOKENS": "800"})
    assert (settings.requests_per_minute, settings.max_tokens, settings.max_retries) == (6, 800, 3)
    assert API_KEY not in repr(settings)
    with pytest.raises(ChatError, match="must be an http"):
        ChatSettings.from_env({"REPORTBOT_LLM_BASE_URL": "llm.example", "REPORTBOT_LLM_MODEL": "m"})


def test_calls_to_one_endpoint_are_paced():
    pacer, now, sleeps = _Pacer(), [100.0], []
    for _ in range(3):
        pacer.wait("https://llm.example", 3.0, sleeps.append, clock=lambda: now[0])
    assert sleeps == [3.0, 6.0]  # slots reserved 3 s apart, even when asked at the same moment
    pacer.wait("https://other.example", 3.0, sleeps.append, clock=lambda: now[0])
    assert sleeps == [3.0, 6.0]
    assert isinstance(PACER, _Pacer)


def test_attach_params_accept_json_or_pairs():
    assert parse_attach_params('{"region": "North"}') == {"region": "North"}
    assert parse_attach_params("region=North, view = daily") == {"region": "North", "view": "daily"}
    assert parse_attach_params("  ") == {}
    for bad, message in (("{oops", "not valid JSON"), ("[1]", "JSON object"), ('["a"]', "JSON object"),
                         ("region", "not a key=value pair")):
        with pytest.raises(ParameterError, match=message):
            parse_attach_params(bad)


def test_a_pulse_cannot_attach_itself_or_an_unknown_type(chat):
    with pytest.raises(ParameterError, match="must be one of: channel_activity, demo_sales, sql"):
        run(settings_for(chat), attach="prompt")
    with pytest.raises(ParameterError, match="Demo sales has no parameter colour"):
        run(settings_for(chat), attach="demo_sales", attach_params="colour=red")
    assert chat.requests == []
