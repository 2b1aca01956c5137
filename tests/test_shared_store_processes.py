"""Web and workers on different machines: a `reportbot serve` process and a `dramatiq` worker
process that share nothing but PostgreSQL, Redis and an S3 bucket (each has its own working
directory and ARTIFACT_DIR). The worker generates a run into S3, encrypted by the app and by the
server, and emails a download link; the web process serves the file behind that link."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import urllib.request

import pytest
from sqlalchemy import select

from jobs import actors
from jobs import broker as broker_module
from storage.filestore.crypto import Keyring, new_key
from storage.models import FINAL_RUN_STATUSES, Artifact, Run, RunStatus
from tests.conftest import SIGNING_SECRET, make_context
from tests.jobs.delivery_support import (
    LINK_SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    SmtpServer,
    due_run,
)
from tests.s3_support import s3_store
from tests.support.network import free_port, stop_process
from tests.support.network import wait_for_http as wait_for
from tests.support.people import TO_CLIENT
from tests.support.waiting import wait_until

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _start(command: list[str], env: dict, cwd) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_a_run_made_by_a_worker_is_downloaded_through_another_machines_web_process(
        postgres_database, redis_url, s3_server, s3_bucket, emulator, tmp_path):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    key = new_key()
    smtp = SmtpServer().start()
    port = free_port()
    shared = {  # all that the two "machines" have in common
        **{k: v for k, v in os.environ.items() if not k.startswith(("ARTIFACT_", "AWS_", "SMTP_"))},
        "DATABASE_URL": postgres_database.url, "REDIS_URL": redis_url,
        "ARTIFACT_STORE_URL": f"s3://{s3_bucket}/reportbot", "ARTIFACT_ENCRYPTION_KEYS": key,
        "ARTIFACT_S3_SSE": "SSE-S3", **s3_server.env(),
        "REPORTBOT_PUBLIC_URL": f"http://127.0.0.1:{port}", "REPORTBOT_LINK_SECRET": LINK_SECRET,
        "SLACK_BOT_TOKEN": emulator.bot_token(), "SLACK_API_URL": emulator.base_url,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    machines = {name: tmp_path / name for name in ("web", "worker")}
    for folder in machines.values():
        folder.mkdir()
    web = _start([sys.executable, "-m", "bot.cli.main", "serve"], cwd=machines["web"],
                 env={**shared, "PORT": str(port), "ARTIFACT_DIR": str(machines["web"] / "artifacts")})
    worker = _start([sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--processes", "1",
                     "--threads", "2"], cwd=machines["worker"],
                    env={**shared, "ARTIFACT_DIR": str(machines["worker"] / "artifacts"),
                         "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
                         "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD,
                         "EMAIL_FROM": "Reports <reports@example.com>", "REPORTBOT_EMAIL_DOMAINS": "example.com",
                         "EMAIL_MAX_MB": "0.00001"})  # every file goes as a link, not attached
    previous_broker = broker_module.use_broker(broker_module.build_broker(redis_url))
    outputs = {}
    try:
        assert wait_for(f"http://127.0.0.1:{port}/healthz") == b"ok"
        # This process plays the clock: it ticks the run onto the queue, through Redis.
        ctx = make_context(postgres_database, tmp_path, emulator)
        run_id = due_run(ctx, actors.enqueue, destinations=[TO_CLIENT], formats=("csv", "xlsx"))

        def finished():
            with postgres_database.session() as s:
                run = s.get(Run, run_id)
                return run if run.status in FINAL_RUN_STATUSES else None

        run = wait_until(finished, timeout=90, what="the worker finishing the run")
        assert run.status == RunStatus.DELIVERED, run.error
        text = smtp.messages_to("client@example.com")[0].message.get_body(("plain",)).get_content()
        urls = [line.rsplit(" ", 1)[1] for line in text.splitlines() if "/files/" in line]
        with postgres_database.session() as s:
            artifacts = {a.filename: a for a in s.scalars(select(Artifact).where(Artifact.run_id == run_id))}
        assert len(urls) == len(artifacts) == 2

        for url in urls:  # the web process streams each file out of S3, decrypted
            assert url.startswith(f"http://127.0.0.1:{port}/files/")
            with NO_PROXY.open(url, timeout=30) as response:
                body = response.read()
                name = response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
            assert hashlib.sha256(body).hexdigest() == artifacts[name].sha256 and len(body) == artifacts[name].size

        objects = s3_server.client().list_objects_v2(Bucket=s3_bucket, Prefix=f"reportbot/runs/{run_id}/")
        assert sorted(o["Key"].rsplit("/", 1)[1] for o in objects["Contents"]) == sorted(artifacts)
        csv_name = next(name for name in artifacts if name.endswith(".csv"))
        stored = s3_server.client().get_object(Bucket=s3_bucket, Key=f"reportbot/runs/{run_id}/{csv_name}")
        assert stored["ServerSideEncryption"] == "AES256"
        assert b"region" not in stored["Body"].read()  # the CSV's header row: encrypted by the app as well
        reader = s3_store(s3_server, s3_bucket, keyring=Keyring.from_setting(key))
        assert reader.read_bytes(artifacts[csv_name].storage_key).startswith(b"date,region")
        # Nothing went to either machine's own disk.
        assert not (machines["web"] / "artifacts").exists() and not (machines["worker"] / "artifacts").exists()
        assert not any((machines["worker"]).iterdir()) and not any((machines["web"]).iterdir())
    finally:
        broker_module.use_broker(previous_broker)
        for name, process in (("web", web), ("worker", worker)):
            outputs[name] = stop_process(process)[1] if process.poll() is None else process.communicate()[0]
        smtp.stop()
    for name, output in outputs.items():
        assert "Traceback" not in output, f"{name}:\n{output[-4000:]}"
        assert key not in output and LINK_SECRET not in output, name
