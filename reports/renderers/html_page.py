"""The report as HTML: key figures, the chart, the table — one page, or the body of an email.

Pure: plain data (`PageContent`) in, text out. Every piece of data goes through `html.escape`;
the styles are inline (mail clients drop `<style>` and external sheets) and the layout uses
tables where mail clients need them, so the same fragment reads the same in a browser, Gmail
and Outlook. `report_body_html` is the fragment; `report_page_html` wraps it in a
self-contained document (the `html` format). `content_from_summary` builds the content from a
run's stored summary, for the email, which is sent when the table itself is long gone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from reports.markdown import parse
from reports.markdown_html import blocks_html
from reports.renderers import style
from reports.summary import KeyFigure, key_figures

e = html.escape
FIGURES_PER_ROW = 3


@dataclass
class PageContent:
    """What the page shows; every string is data (escaped when written)."""

    title: str
    period: str = ""
    generated: str = ""
    row_count: int = 0
    figures: list[KeyFigure] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    markdown: str = ""  # a written answer (Pulse), shown instead of the table


def _figures_html(figures: list[KeyFigure]) -> str:
    if not figures:
        return ""
    cells = []
    for figure in figures:
        change = style.change_text(figure.change_pct)
        change_html = (f'<div style="color:{style.change_color(figure.change_pct)};font-size:13px;font-weight:600;">'
                       f"{e(change)}</div>") if change else ""
        cells.append(f'<td style="padding:8px 24px 8px 0;vertical-align:top;">'
                     f'<div style="color:{style.MUTED};font-size:13px;">{e(figure.label)}</div>'
                     f'<div style="color:{style.INK};font-size:28px;font-weight:700;line-height:1.2;">'
                     f"{e(figure.value)}</div>{change_html}</td>")
    rows = ["<tr>" + "".join(cells[i:i + FIGURES_PER_ROW]) + "</tr>" for i in range(0, len(cells), FIGURES_PER_ROW)]
    return f'<table role="presentation" style="border-collapse:collapse;margin:8px 0 16px;">{"".join(rows)}</table>'


def _table_html(content: PageContent) -> str:
    if not content.columns:
        return ""
    align = ["right" if n else "left" for n in content.numeric] + ["left"] * len(content.columns)
    head = "".join(f'<th style="text-align:{align[i]};padding:6px 10px;background:{style.HEADER_FILL};'
                   f'border-bottom:1px solid {style.MUTED};white-space:nowrap;">{e(name)}</th>'
                   for i, name in enumerate(content.columns))
    body = []
    for n, row in enumerate(content.rows):
        fill = f"background:{style.ZEBRA};" if n % 2 else ""
        body.append(f'<tr style="{fill}">' + "".join(
            f'<td style="text-align:{align[i]};padding:4px 10px;'
            f'{"font-variant-numeric:tabular-nums;" if align[i] == "right" else ""}">'
            f"{e(cell)}</td>" for i, cell in enumerate(row)) + "</tr>")
    if not content.rows:
        body.append(f'<tr><td colspan="{len(content.columns)}" style="padding:8px 10px;color:{style.MUTED};">'
                    "No data for this period</td></tr>")
    return (f'<div style="overflow-x:auto;"><table style="border-collapse:collapse;font-size:13px;color:{style.INK};">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def report_body_html(content: PageContent, chart_src: str | None = None) -> str:
    """Return the fragment: heading, key figures, chart (`chart_src`: a data: or cid: URL), table."""
    out = [f'<div style="font-family:{style.SANS_CSS};color:{style.INK};max-width:960px;">',
           f'<h1 style="font-size:24px;margin:0 0 4px;">{e(content.title)}</h1>']
    meta = " · ".join(p for p in (content.period, content.generated,
                                  f"{content.row_count:,} row{'' if content.row_count == 1 else 's'}") if p)
    out.append(f'<p style="color:{style.MUTED};margin:0 0 12px;font-size:14px;">{e(meta)}</p>')
    for note in content.notes:
        out.append(f'<p style="color:{style.DOWN};font-size:13px;margin:4px 0;">{e(note)}</p>')
    out.append(_figures_html(content.figures))
    if chart_src:
        out.append(f'<p style="margin:8px 0 16px;"><img src="{e(chart_src, quote=True)}" '
                   f'alt="{e("Chart: " + content.title, quote=True)}" width="800" '
                   f'style="max-width:100%;height:auto;border:0;"></p>')
    out.append(blocks_html(parse(content.markdown)) if content.markdown else _table_html(content))
    out.append("</div>")
    return "\n".join(part for part in out if part)


def report_page_html(content: PageContent, chart_src: str | None = None) -> str:
    """Return a self-contained HTML document (no external resources) of the report."""
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(content.title)}</title></head>\n"
            f'<body style="margin:24px;background:#FFFFFF;">\n{report_body_html(content, chart_src)}\n</body></html>\n')


def content_from_summary(summary: dict, title: str = "", period: str = "") -> PageContent:
    """Build the page's content from a run's stored summary (key figures and the first rows)."""
    rows = [[str(cell) for cell in row] for row in summary.get("top_rows") or [] if isinstance(row, list)]
    count = summary.get("row_count")
    numeric = summary.get("numeric")
    return PageContent(
        title=title or str(summary.get("title") or "Report"),
        period=period or str(summary.get("window_label") or ""),
        row_count=count if isinstance(count, int) and not isinstance(count, bool) else 0,
        figures=key_figures(summary),
        columns=[str(c) for c in summary.get("columns") or []],
        numeric=[bool(n) for n in numeric] if isinstance(numeric, list) else [],
        rows=rows,
        notes=[str(n) for n in summary.get("notes") or []][:10],
    )
