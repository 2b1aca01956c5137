"""Benchmark a renderer on a real, streamed SQL source and print one JSON line.

Usage: python bench/render.py --rows N --format csv|xlsx|png|pdf|json|html [--baseline] [--writer NAME]

The parent builds a SQLite file (N rows x 10 mixed-type columns) in a temp dir, then runs every
measurement in a fresh child process that streams the rows through SQLAlchemy into a `Table`,
renders to a file and reports its own wall time and peak RSS (getrusage), so no figure carries
memory from the data generation or from an earlier measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = ["North", "South", "East", "West", "Central", "Överseas", "Asia-Pacific", "Latin America"]
PRODUCTS = [f"Product {c}{n}" for c in "ABCDEFGHIJ" for n in range(5)]


def build_database(path: Path, rows: int) -> None:
    """Create the `sales` table with `rows` deterministic pseudo-random rows."""
    rnd = random.Random(42)
    start = dt.datetime(2026, 1, 1, 8, 0)
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE sales (id INTEGER PRIMARY KEY, day DATE, sold_at DATETIME, region VARCHAR(40),"
        " product VARCHAR(40), units INTEGER, price FLOAT, revenue NUMERIC(12, 2), flag BOOLEAN, note TEXT)"
    )

    def generate():
        for i in range(1, rows + 1):
            at = start + dt.timedelta(seconds=i * 37)
            units = rnd.randint(1, 50)
            price = round(rnd.uniform(1, 500), 2)
            note = None if i % 7 == 0 else rnd.choice(["", 'rush, "priority"', "gift\nwrap", "standard", "ok ✓"])
            yield (
                i,
                at.date().isoformat(),
                at.isoformat(sep=" "),
                rnd.choice(REGIONS),
                rnd.choice(PRODUCTS),
                units,
                price,
                round(units * price, 2),
                i % 3 == 0,
                note,
            )

    con.executemany("INSERT INTO sales VALUES (?,?,?,?,?,?,?,?,?,?)", generate())
    con.commit()
    con.close()


def open_table(db_path: Path):
    """Return a `Table` whose rows stream from SQLite through SQLAlchemy."""
    import sqlalchemy as sa

    from reports.table import Column, ColumnType, Table

    engine = sa.create_engine(f"sqlite:///{db_path}")
    meta = sa.MetaData()
    sales = sa.Table(
        "sales",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date),
        sa.Column("sold_at", sa.DateTime),
        sa.Column("region", sa.String(40)),
        sa.Column("product", sa.String(40)),
        sa.Column("units", sa.Integer),
        sa.Column("price", sa.Float),
        sa.Column("revenue", sa.Numeric(12, 2, asdecimal=False)),
        sa.Column("flag", sa.Boolean),
        sa.Column("note", sa.Text),
    )
    types = {
        sa.Integer: ColumnType.INTEGER,
        sa.Date: ColumnType.DATE,
        sa.DateTime: ColumnType.DATETIME,
        sa.Float: ColumnType.NUMBER,
        sa.Numeric: ColumnType.NUMBER,
        sa.Boolean: ColumnType.BOOLEAN,
    }
    columns = [
        Column(c.name, next((t for k, t in types.items() if isinstance(c.type, k)), ColumnType.TEXT))
        for c in sales.columns
    ]

    def rows():
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=5_000).execute(
                sa.select(sales).order_by(sales.c.id)
            )
            yield from result

    return Table(columns=columns, row_source=rows, title="Daily sales", window_label="Mon 23 Nov 2026, Europe/Berlin")


def render_openpyxl_normal(table, out_path: Path) -> None:
    """Baseline: openpyxl in normal (whole workbook in memory) mode."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(table.column_names)
    for row in table.rows():
        ws.append(list(row))
    wb.save(out_path)


def render_openpyxl_write_only(table, out_path: Path) -> None:
    """Comparison: openpyxl write-only mode."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(table.column_names)
    for row in table.rows():
        ws.append(list(row))
    wb.save(out_path)


def child(db_path: Path, fmt: str, writer: str, out_dir: Path) -> dict:
    """Run one measurement in this (fresh) process."""
    import datetime as _dt

    sys.path.insert(0, str(ROOT))
    from reports.renderers import get_renderer

    table = open_table(db_path)
    out_path = out_dir / f"out-{writer}.{fmt}"
    options = {
        "title": table.title,
        "window_label": table.window_label,
        "timezone": "Europe/Berlin",
        "generated_at": _dt.datetime.now(_dt.UTC),
    }
    render = get_renderer(fmt).render  # resolved first: registry imports are not render time
    start = time.perf_counter()
    if writer == "openpyxl-normal":
        render_openpyxl_normal(table, out_path)
    elif writer == "openpyxl-write-only":
        render_openpyxl_write_only(table, out_path)
    else:
        with open(out_path, "wb") as out:
            render(table, out, options)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1), "bytes": out_path.stat().st_size}


def measure(db_path: Path, fmt: str, writer: str, out_dir: Path) -> dict:
    """Run `child` in a fresh interpreter and return its figures."""
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(db_path),
        "--format",
        fmt,
        "--writer",
        writer,
        "--out-dir",
        str(out_dir),
    ]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Parse arguments, build the source and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", default="csv", choices=["csv", "xlsx", "png", "pdf", "json", "html"])
    parser.add_argument("--baseline", action="store_true", help="also measure openpyxl normal mode (xlsx only)")
    parser.add_argument("--writer", default="renderer", help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(child(args.child, args.format, args.writer, args.out_dir)))
        return

    with tempfile.TemporaryDirectory(prefix="reportbot-bench-") as tmp:
        db_path = Path(tmp) / "source.sqlite"
        t0 = time.perf_counter()
        build_database(db_path, args.rows)
        build_seconds = time.perf_counter() - t0
        result = {"rows": args.rows, "format": args.format, "writer": args.writer}
        result.update(measure(db_path, args.format, args.writer, Path(tmp)))
        if args.baseline:
            if args.format != "xlsx":
                parser.error("--baseline compares XLSX writers; use it with --format xlsx")
            base = measure(db_path, args.format, "openpyxl-normal", Path(tmp))
            result["baseline_seconds"] = base["seconds"]
            result["baseline_peak_rss_mb"] = base["peak_rss_mb"]
        result["db_build_seconds"] = round(build_seconds, 2)
        result["source_mb"] = round(os.path.getsize(db_path) / 1e6, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
