"""Benchmark the period a run covers (jobs.periods.window_for); print one JSON line.

window_us_median: microseconds to compute one run's period (its previous slot, its unit, the calendar
cut), median over cadence families, each timed over its next 2,000 slots.
window_us: the same per family. phrase_ms_median: milliseconds to say what a schedule's reports cover
in general (jobs.views.period_words.period_phrase, the next 30 slots), as Home does for each card.

    .venv/bin/python bench/periods.py
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time

from jobs.cadence import parse
from jobs.periods import Period, window_for
from jobs.views.period_words import period_phrase

FAMILIES = ["every day at 9", "every weekday at 9", "mon, wed and fri at 9", "every monday at 9",
            "every other friday at 17", "monthly", "last business day of the month", "quarterly",
            "every year on march 3", "every 15 minutes", "at 9 and 17", "every business day, US holidays",
            "every monday at 9 and every friday at 5pm", "every 24 hours after the last run"]
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def main() -> None:
    per_family, phrases = {}, []
    for text in FAMILIES:
        cadence = parse(text, "Europe/Berlin", now=NOW).anchored(NOW)
        slots = cadence.next_runs(NOW, 2000)
        window_for(Period(), slot=slots[0], cadence=cadence, timezone=cadence.timezone)  # compile and cache
        started = time.perf_counter()
        for slot in slots:
            window_for(Period(), slot=slot, cadence=cadence, timezone=cadence.timezone)
        per_family[text] = round((time.perf_counter() - started) / len(slots) * 1e6, 1)
        started = time.perf_counter()
        period_phrase(Period(), cadence, NOW)
        phrases.append((time.perf_counter() - started) * 1e3)
    print(json.dumps({"window_us_median": statistics.median(per_family.values()), "window_us": per_family,
                      "phrase_ms_median": round(statistics.median(phrases), 2)}))


if __name__ == "__main__":
    main()
