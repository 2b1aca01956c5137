"""File uploads: the three-step files_upload_v2 flow and its failure modes."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from slack_sdk.errors import SlackApiError

from slack_emulator import post

from .conftest import ALICE, GENERAL, RANDOM, SECRET

CSV = b"region,total\nnorth,12\nsouth,7\n"
PNG = bytes(range(256)) * 4  # arbitrary binary content, NULs included


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def test_upload_two_files_into_channel(emu, client):
    response = client.files_upload_v2(
        channel=GENERAL,
        initial_comment="Weekly report",
        file_uploads=[
            {"content": CSV, "filename": "report.csv", "title": "Report"},
            {"content": PNG, "filename": "chart.png"},
        ],
    )
    assert [f["name"] for f in response["files"]] == ["report.csv", "chart.png"]
    uploads = emu.uploads(GENERAL)
    assert [(u.filename, u.title, u.content, u.length) for u in uploads] == [
        ("report.csv", "Report", CSV, len(CSV)),
        ("chart.png", "chart.png", PNG, len(PNG)),
    ]
    assert all(u.initial_comment == "Weekly report" and u.channel_id == GENERAL for u in uploads)
    [message] = emu.messages(GENERAL)
    assert message["text"] == "Weekly report" and len(message["files"]) == 2
    download = urllib.request.Request(response["files"][1]["url_private"],
                                      headers={"Authorization": f"Bearer {emu.bot_token()}"})
    with urllib.request.urlopen(download, timeout=5) as body:
        assert body.read() == PNG


def test_upload_into_dm_via_conversations_open(emu, client):
    dm = client.conversations_open(users=ALICE)["channel"]["id"]
    response = client.files_upload_v2(channel=dm, content=CSV, filename="mine.csv", thread_ts=None)
    assert response["file"]["id"] == emu.uploads(dm)[0].id
    assert emu.uploads(dm)[0].content == CSV
    assert response["file"]["ims"] == [dm]


def test_upload_into_thread(emu, client):
    parent = client.chat_postMessage(channel=GENERAL, text="parent")["ts"]
    client.files_upload_v2(channel=GENERAL, content=b"x", filename="x.txt", thread_ts=parent)
    assert emu.uploads(GENERAL)[0].thread_ts == parent
    assert emu.messages(GENERAL)[0]["reply_count"] == 1


def test_upload_to_user_id_is_invalid_arguments(emu, client):
    assert error_of(lambda: client.files_upload_v2(channel=ALICE, content=CSV, filename="r.csv")) \
        == "invalid_arguments"
    assert emu.uploads() == []


def test_upload_channel_rules(emu, client):
    assert error_of(lambda: client.files_upload_v2(channel=SECRET, content=CSV, filename="r.csv")) \
        == "channel_not_found"
    assert client.files_upload_v2(channel=RANDOM, content=CSV, filename="r.csv")["ok"]
    emu.set_bot_scopes(["files:write", "chat:write"])
    assert error_of(lambda: client.files_upload_v2(channel=RANDOM, content=CSV, filename="r.csv")) \
        == "not_in_channel"


def test_complete_unknown_or_not_uploaded_file(emu, client):
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": "F0NOPE"}], channel_id=GENERAL)) \
        == "file_not_found"
    ticket = client.files_getUploadURLExternal(filename="a.csv", length=3)
    assert error_of(lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])) \
        == "file_not_found"


def test_get_upload_url_requires_length(emu, client):
    assert error_of(lambda: client.api_call("files.getUploadURLExternal", params={"filename": "a.csv"})) \
        == "missing_argument"
    assert error_of(lambda: client.files_getUploadURLExternal(filename="a.csv", length=0)) == "missing_argument"
    assert error_of(lambda: client.api_call("files.getUploadURLExternal", params={"length": 3})) \
        == "missing_argument"


def test_raw_upload_endpoint_checks_length_and_tolerates_multipart(emu, client):
    ticket = client.files_getUploadURLExternal(filename="a.csv", length=3)
    status, text = post(ticket["upload_url"], "toolong", {})
    assert status == 400 and "length" in text
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\nabc\r\n--{boundary}--\r\n")
    status, text = post(ticket["upload_url"], body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert (status, text) == (200, "OK - 3")
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"], "title": "A"}], channel_id=GENERAL)
    assert emu.uploads(GENERAL)[0].content == b"abc"
    assert post(f"{emu.url}/upload/v1/unknown", "abc", {})[0] == 404


def test_upload_endpoint_fault_surfaces_as_error(emu, client):
    emu.fail("upload", status=500)
    # slack_sdk's raw upload uses urlopen, so a 5xx surfaces as urllib's HTTPError.
    with pytest.raises(urllib.error.HTTPError):
        client.files_upload_v2(channel=GENERAL, content=CSV, filename="r.csv")
    assert emu.uploads() == []


def test_files_upload_v1_is_deprecated(emu, client):
    assert error_of(lambda: client.api_call("files.upload", params={"channels": GENERAL, "content": "x"})) \
        == "method_deprecated"


def test_files_info_needs_scope(emu, client):
    file_id = client.files_upload_v2(channel=GENERAL, content=CSV, filename="r.csv")["file"]["id"]
    assert error_of(lambda: client.files_info(file=file_id)) == "missing_scope"
    emu.set_bot_scopes(["files:read"])
    info = client.files_info(file=file_id)["file"]
    assert info["size"] == len(CSV) and info["filetype"] == "csv" and info["channels"] == [GENERAL]
    assert error_of(lambda: client.files_info(file="F0NOPE")) == "file_not_found"
