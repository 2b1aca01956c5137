"""Draw a chart (`chart_data.ChartData`) in the house style, readable at a phone's width.

Slack shows a chart ~360 px wide on a phone, a third of the 1200 px image: type is set large
(15 pt at 150 dpi is 31 px, ~10 px on the phone), bars carry their value at their end instead of
an axis to squint at, numbers are short (12.3K, €4.2M, 12.5%) and use the column's unit.
Matplotlib's object API only (no pyplot), so renders can run in threads.
"""

from __future__ import annotations

import datetime as dt

from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from reports.renderers import style
from reports.renderers.chart_compare import (
    change_pct,
    previous_bars,
    previous_line,
    previous_total,
)
from reports.renderers.chart_data import NO_DATA, ChartData
from reports.renderers.formatting import compact, thousands, truncate
from reports.renderers.units import Unit, format_short, label_of, unit_of

BASE_PT = 15
LABEL_CHARS = 24
SUBTITLE_CHARS = 72  # what fits one line at the chart's width


def _plain(text: str) -> str:
    """Keep user text literal: a "$" must not switch matplotlib into math mode."""
    return text.replace("$", r"\$")


class UnitFormatter(Formatter):
    """Axis labels like 950 / 12.3K / €4.2M / 12%, with just enough decimals to tell ticks apart."""

    def __init__(self, unit: Unit | None = None) -> None:
        self.unit = unit or Unit()
        self.digits = 1

    def set_locs(self, locs) -> None:
        self.digits = next((d for d in (1, 2, 3) if len({self._format(v, d) for v in locs}) == len(locs)), 4)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return _plain(self._format(x, self.digits))

    def _format(self, x: float, digits: int) -> str:
        if self.unit.kind in ("percent", "ratio", "money"):
            return format_short(x, self.unit)
        text = compact(x)
        if digits == 1 or text[-1] not in "KMBT0123456789":
            return text
        if text[-1].isdigit():  # below 1,000: plain numbers carry their own decimals
            return text if float(x).is_integer() else f"{x:,.{digits}f}".rstrip("0").rstrip(".")
        divisor = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[text[-1]]
        return f"{x / divisor:.{digits}f}".rstrip("0").rstrip(".") + text[-1]


def plain_number(x: float) -> str:
    """Label an x value: whole numbers as is (years, bucket ids), others short."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def draw_chart(fig: Figure, data: ChartData, *, title: str, period: str, previous_summary: dict | None = None,
               scale: float = 1.0) -> None:
    """Draw the title, the period line and the chart of `data` on `fig`."""
    fs = BASE_PT * scale
    fig.set_facecolor("white")
    fig.suptitle(_plain(truncate(title, 60)), x=0.025, y=0.975, ha="left", va="top", fontsize=fs * 1.45,
                 fontweight="bold", color=style.INK)
    subtitle = _subtitle(data, period, previous_summary)
    fig.text(0.025, 0.87, _plain(truncate(subtitle, SUBTITLE_CHARS)), fontsize=fs * 0.9, color=style.MUTED, va="top")
    if data.kind in ("number", "empty"):
        (_draw_number if data.kind == "number" else _draw_empty)(fig, data, fs, previous_summary)
        return
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(style.GRID)
    ax.spines["bottom"].set_color(style.GRID)
    ax.tick_params(labelsize=fs * 0.85, colors=style.MUTED, length=0)
    ax.set_axisbelow(True)
    if data.kind == "bars" and data.xs and isinstance(data.xs[0], str):
        _draw_category_bars(ax, data, fs, previous_summary)
    elif data.kind == "bars":
        _draw_ordered_bars(ax, data, fs)
    else:
        _draw_line(ax, data, fs, previous_summary)


def _subtitle(data: ChartData, period: str, previous_summary: dict | None) -> str:
    parts = [period] if period else []
    if data.kind == "line" and previous_line(data, previous_summary):
        parts.append("dashed: previous period")
    elif data.kind == "bars" and previous_bars(data, previous_summary):
        parts.append("ticks: previous period")
    if data.note:
        parts.append(data.note)
    return " · ".join(parts)


def _draw_empty(fig: Figure, data: ChartData, fs: float, previous_summary: dict | None) -> None:
    fig.text(0.5, 0.45, NO_DATA, ha="center", va="center", fontsize=fs * 1.6, color=style.MUTED)


def _draw_number(fig: Figure, data: ChartData, fs: float, previous_summary: dict | None) -> None:
    """One to four big numbers side by side, each with its change against the previous period."""
    shown = list(zip(data.spec.y, data.totals, strict=False))[:4]
    width = 0.95 / len(shown)
    big = fs * (4.2 if len(shown) == 1 else 3.0 if len(shown) == 2 else 2.2)
    height = big / 72 / fig.get_figheight()  # the big number's height as a fraction of the figure
    for n, (column, total) in enumerate(shown):
        x = 0.025 + n * width
        fig.text(x, 0.66, _plain(truncate(label_of(column.name), 28 // len(shown) + 8)), fontsize=fs * 1.05,
                 color=style.MUTED, va="bottom")
        unit = unit_of(column)
        # Counts below 100,000 are shown whole ("1,204"); the rest short ("€48.3K", "2.1M").
        text = thousands(round(total)) if unit.kind == "count" and abs(total) < 100_000 else format_short(total, unit)
        fig.text(x, 0.62, _plain(text), fontsize=big, fontweight="bold",
                 color=style.INK, va="top")
        if n == 0:
            change = change_pct(total, previous_total(data, previous_summary))
            if change is not None:
                fig.text(x, 0.62 - height - 0.06, style.change_text(change), fontsize=fs * 1.1,
                         color=style.change_color(change), va="top", fontweight="bold")


def _labels_for(data: ChartData) -> list[str]:
    return [_plain(truncate(x if isinstance(x, str) else plain_number(x), LABEL_CHARS)) for x in data.xs]


def _draw_category_bars(ax: Axes, data: ChartData, fs: float, previous_summary: dict | None) -> None:
    """Horizontal bars, largest on top, value at the end of each; "Other" in grey at the bottom."""
    n, width = len(data.xs), len(data.series)
    units = [unit_of(c) for c in data.spec.y]
    if width == 1:
        colors = [style.colors_for([str(x) for x in data.xs])]
        if data.other_count:
            colors[0][-1] = style.OTHER
    else:
        colors = [[c] * n for c in style.colors_for([c.name for c in data.spec.y])]
    step = 0.8 / width
    # "Other" may add up to more than the leaders: then it is written, not drawn, so the scale
    # stays the leaders' (a giant grey bar would flatten every bar worth looking at).
    largest = max((abs(v) for ys in data.series for v in (ys[:-1] if data.other_count else ys)), default=0)
    for s, ys in enumerate(data.series):
        positions = [n - 1 - i + 0.4 - step * (s + 0.5) for i in range(n)]
        drawn = list(ys)
        labels = [format_short(v, units[s]) for v in ys]
        if data.other_count and abs(ys[-1]) > largest:
            drawn[-1] = 0.0
            labels[-1] += " in total"
        bars = ax.barh(positions, drawn, height=step * 0.9, color=colors[s],
                       label=_plain(label_of(data.spec.y[s].name)))
        if n <= 12:
            ax.bar_label(bars, labels=[_plain(t) for t in labels], padding=5, fontsize=fs * 0.85, color=style.INK)
    before = previous_bars(data, previous_summary) if width == 1 else {}
    for i, x in enumerate(data.xs):
        if x in before:
            ax.plot([before[x]] * 2, [n - 1 - i - 0.42, n - 1 - i + 0.42], color=style.INK, linewidth=2.2,
                    alpha=0.55, solid_capstyle="butt")
    ax.set_yticks([n - 1 - i for i in range(n)])
    ax.set_yticklabels(_labels_for(data), fontsize=fs * 0.9, color=style.INK)
    ax.xaxis.set_major_formatter(UnitFormatter(units[0]))
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.grid(axis="x", color=style.GRID, linewidth=0.8)
    ax.spines["bottom"].set_visible(False)
    negative = any(v < 0 for ys in data.series for v in ys)
    if negative:
        ax.axvline(0, color=style.MUTED, linewidth=1)
    # Room for the value labels beyond the bar ends (on both sides when bars point left too).
    ax.margins(x=0.26 if negative else 0.16, y=0.02)
    if width > 1:
        ax.legend(fontsize=fs * 0.8, frameon=False, loc="lower right")
    else:
        ax.set_xlabel(_plain(label_of(data.spec.y[0].name)), fontsize=fs * 0.85, color=style.MUTED)


def _draw_ordered_bars(ax: Axes, data: ChartData, fs: float) -> None:
    """Vertical bars along a time or number axis (asked for with kind "bar")."""
    n, width = len(data.xs), len(data.series)
    if isinstance(data.xs[0], (dt.date, dt.datetime)):
        names = [x.strftime("%d %b %H:%M" if isinstance(x, dt.datetime) and (x.hour or x.minute) else "%d %b")
                 for x in data.xs]
    else:
        names = _labels_for(data)
    colors = style.colors_for([c.name for c in data.spec.y])
    step = 0.8 / width
    for s, ys in enumerate(data.series):
        ax.bar([i - 0.4 + step * (s + 0.5) for i in range(n)], ys, width=step * 0.9, color=colors[s],
               label=_plain(label_of(data.spec.y[s].name)))
    every = max(1, n // 8)
    ax.set_xticks(range(0, n, every))
    ax.set_xticklabels(names[::every], rotation=30 if n > 6 else 0, ha="right" if n > 6 else "center")
    ax.yaxis.set_major_formatter(UnitFormatter(unit_of(data.spec.y[0])))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(axis="y", color=style.GRID, linewidth=0.8)
    if width > 1:
        ax.legend(fontsize=fs * 0.8, frameon=False)


def _draw_line(ax: Axes, data: ChartData, fs: float, previous_summary: dict | None) -> None:
    """Lines over time (or categories, or numbers); the previous period dashed and faint behind."""
    xs = data.xs
    categorical = isinstance(xs[0], str)
    positions = list(range(len(xs))) if categorical else xs
    colors = style.colors_for([c.name for c in data.spec.y])
    before = previous_line(data, previous_summary)
    if before:
        ax.plot([p[0] for p in before], [p[1] for p in before], color=style.FAINT, linewidth=2.2,
                linestyle=(0, (4, 3)), label="Previous period", zorder=1)
    few = len(xs) <= 31
    for s, ys in enumerate(data.series):
        ax.plot(positions, ys, color=colors[s], linewidth=3, marker="o" if few else None, markersize=6,
                label=_plain(label_of(data.spec.y[s].name)), zorder=2)
    unit = unit_of(data.spec.y[0])
    # The latest value, written where the eye ends up.
    ax.annotate(_plain(format_short(data.series[0][-1], unit)), (positions[-1], data.series[0][-1]),
                xytext=(8, 0), textcoords="offset points", va="center", fontsize=fs * 0.9, fontweight="bold",
                color=colors[0])
    if isinstance(xs[0], (dt.date, dt.datetime)):
        _date_ticks(ax, xs, fs)
    elif categorical:
        every = max(1, len(xs) // 8)
        ax.set_xticks(positions[::every])
        ax.set_xticklabels([_plain(truncate(x, 14)) for x in xs[::every]], rotation=30, ha="right")
    else:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: plain_number(v)))
        ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.yaxis.set_major_formatter(UnitFormatter(unit))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.grid(axis="y", color=style.GRID, linewidth=0.8)
    ax.margins(x=0.08)
    if len(data.series) > 1 or before:
        ax.legend(fontsize=fs * 0.8, frameon=False, loc="upper left", ncols=min(3, len(data.series) + 1))
    elif data.series:
        ax.set_ylabel(_plain(label_of(data.spec.y[0].name)), fontsize=fs * 0.85, color=style.MUTED)


def _date_ticks(ax: Axes, xs: list, fs: float) -> None:
    """Put a few dates on their own ticks; let matplotlib pick ticks for long series."""
    with_time = any(isinstance(x, dt.datetime) and x != dt.datetime(x.year, x.month, x.day) for x in xs)
    if len(xs) <= 8 and not with_time:
        # Two short lines per day ("Mon" over "16 Nov") fit seven days across a phone.
        fmt = "%a\n%d %b" if len({x.year for x in xs}) == 1 else "%d %b\n%Y"
        ax.set_xticks(xs)
        ax.set_xticklabels([x.strftime(fmt) for x in xs], fontsize=fs * 0.8)
        return
    locator = AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    formatter = ConciseDateFormatter(locator, show_offset=False)  # its "2026-Dec" offset misleads
    ax.xaxis.set_major_formatter(formatter)
