"""Peak memory of a worker fetching a few huge rows from PostgreSQL, with and without the byte caps.

Usage: python bench/sql_bytes.py [--server postgresql://postgres@127.0.0.1:5432/postgres] [--rows 4] [--mb 150]

The report's case: 4 rows of a 150 MB value each. The parent makes a SELECT-only role; each measurement
runs `run_query` in a fresh child process that reports its outcome, wall time and peak RSS (getrusage).
"capped" uses the default caps; "uncapped" raises them to their maximum (the old behaviour: no cap).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time, dataclasses
from reports.sources import DataSourceError, GuardedQuery, load_data_sources, run_query
url, sql, uncapped = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
source = load_data_sources({"REPORTBOT_SOURCE_BIG": url, "REPORTBOT_SOURCE_BIG__USERS": "*"})["big"]
if uncapped:
    source = dataclasses.replace(source, max_cell_bytes=1 << 30, max_result_bytes=1 << 40)
started = time.perf_counter()
try:
    result = run_query(source, GuardedQuery(sql, ()), {}, timezone="UTC")
    outcome = f"{result.row_count} rows"
except DataSourceError as exc:
    outcome = type(exc).__name__
print(json.dumps({"outcome": outcome, "seconds": round(time.perf_counter() - started, 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=4)
    parser.add_argument("--mb", type=int, default=150)
    args = parser.parse_args()
    import psycopg

    role, password = f"rb_bench_{uuid.uuid4().hex[:8]}", "bench-pw-not-real"
    with psycopg.connect(args.server, autocommit=True) as conn:
        conn.execute(f"create role {role} login password '{password}'")
    host, database = args.server.split("@", 1)[1].rsplit("/", 1)
    url = f"postgresql://{role}:{password}@{host}/{database}"
    sql = f"select g, repeat('x', {args.mb * 1_000_000}) as big from generate_series(1, {args.rows}) g"
    try:
        figures = {}
        for name, uncapped in (("capped", "0"), ("uncapped", "1")):
            child = subprocess.run([sys.executable, "-c", CHILD, url, sql, uncapped], cwd=ROOT, capture_output=True,
                                   text=True, check=True)
            figures[name] = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(args.server, autocommit=True) as conn:
            conn.execute(f"drop role if exists {role}")
    print(json.dumps({"bench": "sql_bytes", "rows": args.rows, "value_mb": args.mb, **figures}))


if __name__ == "__main__":
    main()
