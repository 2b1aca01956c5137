"""Benchmark the cadence module; print one JSON line.

parse_us_median: parse() time per phrase (median over the phrase table, each phrase timed several times).
parse_newer_us_median: the same over phrasings added later (several rules, counts, exclusions, numeric dates…),
kept apart so that parse_us_median stays comparable with earlier runs.
next_run_per_s: next_run() calls per second over 10,000 distinct compiled cadences of varied kinds and zones.
croniter_per_s: the same question answered by re-creating croniter per call (the approach we avoid), over
the cron-expressible subset.

    .venv/bin/python bench/cadence.py
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from zoneinfo import ZoneInfo

from croniter import croniter

from jobs.cadence import parse

PHRASES = [
    "every weekday at 9am", "0 9 * * 1-5", "every 30 minutes on weekdays from 8am to 6pm", "hourly",
    "every monday at 17:30", "mon, wed and fri at 9", "tue-thu at 14:00", "every other tuesday",
    "fortnightly on fridays at 16:00", "every 3 weeks on mon and fri", "on the 1st and 15th", "every 27th",
    "second tuesday", "the 2nd and 4th thursday at 10", "last friday of the month", "last day of the month",
    "last business day of the month", "first monday of each quarter", "quarterly", "every year on march 3",
    "4th thursday in november", "at 9 and 17", "8:00, 12:00 and 18:00", "noon and midnight",
    "every day at 9am ET", "every weekday at 9 CET", "every monday at 9 starting next monday",
    "every day at 9 until march 1", "every 24 hours after the last run", "every business day, US holidays",
    "evry mondya at 9am", "*/15 9-17 * * 1-5",
]
NEWER_PHRASES = [
    "every monday at 9 and every friday at 5pm", "daily at 9am, 10 times", "twice a day at 8 and 16",
    "every half hour on weekdays", "on day 15 of each month", "every day for the next 3 weeks",
    "every day until december 31, 2027", "every day except in may", "every weekday except the last week of december",
    "second to last friday", "every other weekend", "every 3 fridays", "every 12/24 at 7", "mon-fri @ 8:30",
    "everyday at 10", "every hour and a half", "0 9 * * 5L",
]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Sao_Paulo",
         "Asia/Tokyo", "Europe/London", "America/Los_Angeles", "Pacific/Auckland"]
TEMPLATES = [
    "every day at {t}", "every weekday at {t}", "every {d} at {t}", "every other {d} at {t}",
    "on the {n} of every month at {t}", "last business day of the month at {t}", "the 2nd {d} at {t}",
    "every 15 minutes from {t} to 18:00 on weekdays", "every hour at :{m:02d}", "0 {h} * * 1-5", "{m} {h} 1,15 * *",
    "every year on march {n} at {t}", "first monday of each quarter at {t}", "every {k} hours after the last run",
]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ORDINALS = ["1st", "2nd", "3rd", "5th", "10th", "15th", "20th", "28th"]
AFTER = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def parse_times(phrases: list[str]) -> list[float]:
    """Time parse() per phrase in microseconds (median of repeats)."""
    for text in phrases:  # warm lazy imports (dateparser, holidays) outside the timing
        parse(text, "Europe/Berlin", now=AFTER)
    timings = []
    for text in phrases:
        repeats = []
        for _ in range(15):
            start = time.perf_counter()
            parse(text, "Europe/Berlin", now=AFTER)
            repeats.append((time.perf_counter() - start) * 1e6)
        timings.append(statistics.median(repeats))
    return timings


def cadences(count: int, rng: random.Random) -> list:
    """Build `count` distinct cadences of varied kinds and zones."""
    seen, built = set(), []
    while len(built) < count:
        hour, minute = rng.randrange(6, 17), rng.randrange(60)
        text = rng.choice(TEMPLATES).format(t=f"{hour}:{minute:02d}", h=hour, m=minute, d=rng.choice(DAYS),
                                            n=rng.choice(ORDINALS), k=rng.randrange(1, 48))
        key = (text, rng.choice(ZONES))
        if key not in seen:
            seen.add(key)
            built.append(parse(*key, now=AFTER))
    return built


def next_run_rate(items: list, afters: list[dt.datetime]) -> float:
    """Call next_run for every cadence at tick-like instants; return calls per second."""
    start = time.perf_counter()
    for after in afters:
        for cadence in items:
            cadence.next_run(after)
    return len(items) * len(afters) / (time.perf_counter() - start)


def croniter_rate(items: list, afters: list[dt.datetime]) -> float:
    """Re-create croniter per call, as a naive tick would; return calls per second."""
    jobs = [(cadence.rule.split(" ", 1)[1], ZoneInfo(cadence.timezone)) for cadence in items]
    start = time.perf_counter()
    for after in afters:
        for expression, zone in jobs:
            croniter(expression, after.astimezone(zone)).get_next(dt.datetime)
    return len(jobs) * len(afters) / (time.perf_counter() - start)


def main() -> None:
    rng = random.Random(7)
    timings = parse_times(PHRASES)
    newer = parse_times(NEWER_PHRASES)
    items = cadences(10_000, rng)
    afters = [AFTER + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 365)) for _ in range(5)]
    next_run_rate(items, afters[:1])  # compile and warm month caches once, as a running tick would be
    ours = next_run_rate(items, afters)
    cron_items = [cadence for cadence in items if cadence.rule.startswith("CRON_TZ=")]
    theirs = croniter_rate(cron_items, afters[:1])
    ours_cron = next_run_rate(cron_items, afters)
    print(json.dumps({
        "phrases": len(timings),
        "parse_us_median": round(statistics.median(timings), 1),
        "parse_us_p90": round(statistics.quantiles(timings, n=10)[-1], 1),
        "parse_newer_us_median": round(statistics.median(newer), 1),
        "cadences": len(items),
        "next_run_per_s": round(ours),
        "next_run_us": round(1e6 / ours, 2),
        "cron_subset": len(cron_items),
        "next_run_per_s_cron_subset": round(ours_cron),
        "croniter_recreated_per_s": round(theirs),
        "croniter_recreated_us": round(1e6 / theirs, 2),
        "speedup_vs_croniter": round(ours_cron / theirs, 1),
    }))


if __name__ == "__main__":
    main()
