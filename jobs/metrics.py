"""Prometheus metrics of the app's own (Dramatiq's middleware adds the worker's message metrics).

Counts that the database already knows (schedules and runs by status, deliveries by channel and
outcome, queue depth) are read at scrape time by a collector, so no hot path pays for them; the
tick duration and run lateness are observed where they happen.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from jobs.context import JobContext, get_context
from jobs.overview import collect_status

log = logging.getLogger(__name__)

TICK_SECONDS = Histogram("reportbot_tick_seconds", "Duration of one tick (claim, create runs, enqueue).",
                         buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10))
START_LATENESS = Histogram("reportbot_run_start_lateness_seconds",
                           "Seconds from a scheduled run's slot to the start of its generation.",
                           buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900))


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes."""

    def __init__(self, context: JobContext | None = None) -> None:
        self._context = context

    def collect(self):
        try:
            status = collect_status(self._context or get_context())
        except Exception:  # a scrape must not take the web process down with the database
            log.exception("could not collect metrics")
            return
        schedules = GaugeMetricFamily("reportbot_schedules", "Schedules by status.", labels=["status"])
        for name, count in status.schedules.items():
            schedules.add_metric([name], count)
        yield schedules
        runs = GaugeMetricFamily("reportbot_runs_last_24h", "Runs created in the last 24 h by status.",
                                 labels=["status"])
        for name, count in {**status.runs_last_24h, **status.runs_in_flight}.items():
            runs.add_metric([name], count)
        yield runs
        deliveries = GaugeMetricFamily("reportbot_deliveries_last_24h",
                                       "Deliveries in the last 24 h by channel and outcome.",
                                       labels=["channel", "outcome"])
        for key, count in status.deliveries_last_24h.items():
            channel, _, outcome = key.partition(":")
            deliveries.add_metric([channel, outcome], count)
        yield deliveries
        depth = GaugeMetricFamily("reportbot_queue_depth", "Messages waiting per queue.", labels=["queue"])
        for queue, count in status.queue_depth.items():
            depth.add_metric([queue], count)
        yield depth


def render_metrics(context: JobContext | None = None) -> bytes:
    """The text exposition of the app's metrics (served at /metrics by the web process)."""
    from prometheus_client import REGISTRY

    registry = CollectorRegistry()
    registry.register(DatabaseCollector(context))
    return generate_latest(REGISTRY) + generate_latest(registry)
