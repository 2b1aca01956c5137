"""Log lines about a run carry its run and schedule ids; LOG_FORMAT=json writes JSON objects."""

from __future__ import annotations

import io
import json
import logging

from jobs.generate import generate
from jobs.logs import ContextFilter, JsonFormatter, _AppendContext, log_context
from jobs.tick import tick
from tests.factories import make_schedule


def _capture(formatter: logging.Formatter) -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(formatter)
    logging.getLogger().addHandler(handler)
    return handler, stream


def test_a_failed_generation_is_logged_with_its_run_and_schedule(sqlite_database, tmp_path, recording_enqueue):
    from tests.conftest import make_context

    ctx = make_context(sqlite_database, tmp_path)
    with sqlite_database.session() as s:
        schedule = make_schedule(s, report_type="sql", params={"source": "nowhere", "query": "select 1"})
        schedule_id, slot = schedule.id, schedule.next_run_at
    ctx.now.jump_to(slot)
    [run_id] = tick(ctx, recording_enqueue).created
    handler, stream = _capture(JsonFormatter())
    try:
        with log_context(run_id=run_id):
            generate(ctx, run_id, recording_enqueue)
            logging.getLogger("reportbot.test").warning("done")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines and all(line["run_id"] == run_id for line in lines)
    assert lines[-1]["schedule_id"] == schedule_id and lines[-1]["message"] == "done"


def test_text_format_appends_the_fields_to_a_foreign_formatter():
    handler, stream = _capture(_AppendContext(logging.Formatter("[%(levelname)s] %(message)s")))
    try:
        with log_context(run_id=7, schedule_id=3):
            logging.getLogger("reportbot.test").warning("hello")
        logging.getLogger("reportbot.test").warning("outside")
    finally:
        logging.getLogger().removeHandler(handler)
    assert stream.getvalue().splitlines() == ["[WARNING] hello run_id=7 schedule_id=3", "[WARNING] outside"]
