"""The chart an alert notification carries: the value over the latest checks, the line it crosses,
the side of the line where it fires shaded, and the newest value called out. PNG, Slack-sized.

Kept apart from reports/renderers (which draw a report's table): this draws an alert's own history.
Matplotlib's object API only (no pyplot), so it can run in worker threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO
from zoneinfo import ZoneInfo

from reports.renderers.formatting import compact, truncate

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 100
VALUE_COLOR, LINE_COLOR, FIRING_SHADE = "#2E6FD8", "#D64545", "#F6D5D5"
STATE_COLORS = {"firing": "#D64545", "pending": "#E8833A", "no_data": "#9AA0A6", "error": "#9AA0A6"}


@dataclass(frozen=True)
class ChartPoint:
    at: dt.datetime  # aware
    value: float | None  # None: that check had no value (no data, failed)
    state: str = "ok"


def draw_alert_chart(points: Sequence[ChartPoint], out: BinaryIO, *, title: str, subtitle: str = "",
                     line: float | None = None, op: str | None = None, line_label: str = "",
                     timezone: str = "UTC") -> None:
    """Write the chart as PNG to `out`. `line` and `op` ("<", ">", …) mark where the alert fires."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from reports.renderers.fonts import use_fallback_fonts

    use_fallback_fonts()
    zone = ZoneInfo(timezone)
    # Fixed margins: a constrained layout costs more than the drawing itself, and the parts are known.
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    fig.subplots_adjust(left=0.07, right=0.98, top=0.84, bottom=0.09)
    FigureCanvasAgg(fig)
    fig.suptitle(_text(title, 70), x=0.02, ha="left", fontsize=20, fontweight="bold")
    ax = fig.add_subplot()
    if subtitle:
        ax.set_title(_text(subtitle, 120), loc="left", fontsize=13, color="#555555", pad=12)
    xs = [p.at.astimezone(zone).replace(tzinfo=None) for p in points]
    ys = [p.value for p in points]
    known = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    ax.plot(xs, [float("nan") if y is None else y for y in ys], color=VALUE_COLOR, linewidth=2.2, marker="o",
            markersize=4 if len(points) > 30 else 6, zorder=3)
    for point, x in zip(points, xs, strict=True):  # checks without a value sit on the axis as grey ticks
        if point.value is None:
            ax.axvline(x, color=STATE_COLORS["no_data"], alpha=0.35, linewidth=1, zorder=1)
    values = [y for _, y in known] + ([line] if line is not None else [])
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.15 or abs(high) * 0.1 or 1.0
    ax.set_ylim(low - pad, high + pad)
    if line is not None:
        ax.axhline(line, color=LINE_COLOR, linestyle="--", linewidth=1.8, zorder=2)
        if op in ("<", "<="):
            ax.axhspan(low - pad, line, color=FIRING_SHADE, alpha=0.5, zorder=0)
        elif op in (">", ">="):
            ax.axhspan(line, high + pad, color=FIRING_SHADE, alpha=0.5, zorder=0)
        ax.annotate(_text(line_label or f"threshold {compact(line)}", 60), xy=(0.005, line),
                    xycoords=("axes fraction", "data"), xytext=(4, 4), textcoords="offset points", color=LINE_COLOR,
                    fontsize=12, fontweight="bold")
    if known:
        last_x, last_y = known[-1]
        color = STATE_COLORS.get(points[-1].state, VALUE_COLOR) if points[-1].value is not None else VALUE_COLOR
        ax.scatter([last_x], [last_y], s=90, color=color, zorder=4, edgecolor="white", linewidth=1.5)
        ax.annotate(compact(last_y), xy=(last_x, last_y), xytext=(-10, 10), textcoords="offset points",
                    ha="right", fontsize=14, fontweight="bold", color=color,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9})
    else:
        ax.text(0.5, 0.5, "No values yet", transform=ax.transAxes, ha="center", va="center", fontsize=16,
                color="#777777")
    if len(set(xs)) == 1:  # one check: a span around it, not the years matplotlib picks for a point
        ax.set_xlim(xs[0] - dt.timedelta(minutes=30), xs[0] + dt.timedelta(minutes=30))
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: compact(v)))
    ax.grid(axis="y", color="#E5E5E5")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=12)
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})


def _text(text: str, limit: int) -> str:
    """Matplotlib reads "$…$" as mathematics; people's names are plain text."""
    return truncate(text, limit).replace("$", r"\$")
