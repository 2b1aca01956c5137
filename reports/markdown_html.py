"""A parsed Markdown answer (`reports.markdown.parse`) written as an HTML fragment.

Every piece of text goes through `html.escape`; links are `<a>` only for http, https and mailto,
and show their address beside the text when the two differ (no disguised links in email either).
Styles are inline so the fragment looks the same in a mail client as in a browser. Pure.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from reports.markdown import Block, Span, link_of, write_spans

_CODE_STYLE = "font-family:Menlo,Consolas,monospace;background:#F3F4F6;border-radius:3px;"


def spans_html(spans: tuple[Span, ...]) -> str:
    """Write inline spans as escaped HTML."""
    return write_spans(spans, _HTML)


def _link_html(span: Span) -> str:
    link = link_of(span)
    if link.url is None:
        return html.escape(link.text)
    anchor = f'<a href="{html.escape(link.url, quote=True)}">{html.escape(link.shown)}</a>'
    return anchor if link.self_describing else f"{html.escape(link.text)} ({anchor})"


_HTML: dict[str, Callable[[Span], str]] = {
    "text": lambda span: html.escape(span.text),
    "break": lambda span: "<br>",
    "code": lambda span: f'<code style="{_CODE_STYLE}padding:0 3px;">{html.escape(span.text)}</code>',
    "bold": lambda span: f"<strong>{spans_html(span.children)}</strong>",
    "italic": lambda span: f"<em>{spans_html(span.children)}</em>",
    "link": _link_html,
}


def blocks_html(blocks: list[Block]) -> str:
    """Write parsed blocks as an HTML fragment with inline styles."""
    out = []
    for block in blocks:
        if block.kind == "heading":
            size = {1: 22, 2: 18, 3: 16}.get(block.level, 15)
            out.append(f'<p style="font-size:{size}px;font-weight:700;margin:18px 0 6px;">'
                       f"{spans_html(block.spans)}</p>")
        elif block.kind == "item":
            indent = 1.4 * block.level
            out.append(f'<p style="margin:2px 0 2px {indent:.1f}em;text-indent:-1.1em;">'
                       f"{html.escape(block.marker)}&nbsp;{spans_html(block.spans)}</p>")
        elif block.kind == "quote":
            out.append('<p style="border-left:3px solid #CBD2D9;margin:8px 0;padding:2px 10px;color:#52606D;">'
                       f"{spans_html(block.spans)}</p>")
        elif block.kind == "code":
            out.append(f'<pre style="{_CODE_STYLE}padding:8px;white-space:pre-wrap;">{html.escape(block.text)}</pre>')
        elif block.kind == "rule":
            out.append('<hr style="border:0;border-top:1px solid #E4E7EB;">')
        elif block.kind == "table":
            out.append(_table_html(block))
        else:
            out.append(f'<p style="margin:8px 0;">{spans_html(block.spans)}</p>')
    return "\n".join(out)


def _table_html(block: Block) -> str:
    rows = []
    for n, row in enumerate(block.rows):
        tag = "th" if n == 0 else "td"
        cells = []
        for c, cell in enumerate(row):
            align = block.align[c] if c < len(block.align) else "left"
            cells.append(f'<{tag} style="text-align:{align};padding:3px 8px;border-bottom:1px solid #E4E7EB;">'
                         f"{spans_html(cell)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table style="border-collapse:collapse;margin:8px 0;">' + "".join(rows) + "</table>"
