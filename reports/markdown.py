"""A model's Markdown answer, parsed once and written out safely as Slack mrkdwn.

`parse` turns Markdown into a short list of `Block`s (headings, paragraphs, list items, code,
quotes, rules, tables) made of `Span`s (text, bold, italic, code, link, line break). The Slack
text (`to_slack_mrkdwn`, here), the HTML page (`reports.markdown_html`) and the PDF
(`reports.renderers.pdf_markdown`) are all written from that one parse.

Safety, for text written by a model that anyone can steer with a planted message:
- special mentions are dropped however they are written: `<!channel>`, `<!here|here>`,
  `<@U123>`, `<#C123>`, `<!subteam^S1>`, their HTML-entity spellings, and plain `@channel`,
  `@here`, `@everyone` (which Slack links when `link_names` is on);
- `&`, `<` and `>` are escaped before anything is emitted, so the only `<…>` in the output are the
  links written here, and those only as `<url>` where the visible text IS the URL; any other link
  becomes `text (url)`, so a link can never pretend to go somewhere else;
- only http, https and mailto links are links at all;
- the text is clipped to Slack's limits on whole lines, never inside an escape or a link.
Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt

MAX_INPUT_CHARS = 100_000  # parse time is linear, but a runaway answer need not be read to the end
SECTION_LIMIT = 3_000  # Slack: text of one section block
MESSAGE_LIMIT = 40_000  # Slack: a message's text is cut beyond this
CLIPPED = "…"

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")

# `<!here>`, `<@U1|name>`, `<#C1>`, `<!subteam^S1|@team>` and the same with `<`/`>` written as entities.
_OPEN = r"(?:<|&lt;?|&#0*60;?|&#x0*3c;?)"
_CLOSE = r"(?:>|&gt;?|&#0*62;?|&#x0*3e;?)"
_SPECIAL = re.compile(f"{_OPEN}\\s*[!@#](?:[^<>]{{0,200}}?{_CLOSE})?", re.IGNORECASE)
# Plain-word broadcasts, also with the full-width at sign.
_BROADCAST = re.compile(r"[@＠﹫]\s*(channel|here|everyone)\b", re.IGNORECASE)
_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Span:
    """An inline run: `kind` is text, bold, italic, code, link or break."""

    kind: str
    text: str = ""
    children: tuple[Span, ...] = ()
    url: str = ""


@dataclass(frozen=True)
class Block:
    """A block: heading (level 1-6), paragraph, item (list depth from 1, marker), code, quote, rule, table."""

    kind: str
    spans: tuple[Span, ...] = ()
    level: int = 0
    marker: str = ""
    text: str = ""  # code blocks
    rows: tuple[tuple[tuple[Span, ...], ...], ...] = ()  # tables: header row first
    align: tuple[str, ...] = ()  # tables: "left", "right" or "center" per column


def drop_mentions(text: str) -> str:
    """Remove Slack special mentions and broadcast words, however they are spelled."""
    previous = None
    while previous != text:  # removing one may join the pieces of another: repeat until stable
        previous = text
        text = _SPECIAL.sub("", text)
        text = _BROADCAST.sub(lambda m: m.group(1), text)
    return text


def safe_url(url: str) -> str | None:
    """Return the URL if it may be a link (http, https, mailto; no spaces or brackets), else None."""
    url = url.strip()
    if not url.lower().startswith(_LINK_SCHEMES) or len(url) > 2_000:
        return None
    if any(c.isspace() or c in "<>|\"'`" for c in url):
        return None
    return url


def parse(markdown: str) -> list[Block]:
    """Parse Markdown into blocks; mentions are already dropped from every piece of text."""
    tokens = _PARSER.parse(drop_mentions(markdown[:MAX_INPUT_CHARS]))
    blocks: list[Block] = []
    lists: list[list[int]] = []  # per open list: [next number] (ordered) or [] (bullets)
    quote = 0
    pending_item: str | None = None
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(token.attrGet("start") or 1)] if kind == "ordered_list_open" else [])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            counter = lists[-1] if lists else []
            if counter:
                pending_item = f"{counter[0]}."
                counter[0] += 1
            else:
                pending_item = "•"
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            blocks.append(Block("heading", _inline(tokens[i + 1].children or []), level=level))
            i += 2
        elif kind == "paragraph_open":
            spans = _inline(tokens[i + 1].children or [])
            if pending_item is not None:
                blocks.append(Block("item", spans, level=len(lists), marker=pending_item))
                pending_item = None
            else:
                blocks.append(Block("quote" if quote else "paragraph", spans))
            i += 2
        elif kind in ("fence", "code_block"):
            blocks.append(Block("code", text=drop_mentions(token.content.rstrip("\n"))))
        elif kind == "hr":
            blocks.append(Block("rule"))
        elif kind == "table_open":
            i = _table(tokens, i, blocks)
        elif kind == "html_block":  # never HTML: shown as the text it is
            blocks.append(Block("paragraph", (Span("text", drop_mentions(token.content.strip())),)))
        i += 1
    return blocks


def _table(tokens: list, i: int, blocks: list[Block]) -> int:
    rows: list[tuple[tuple[Span, ...], ...]] = []
    row: list[tuple[Span, ...]] = []
    align: list[str] = []
    while tokens[i].type != "table_close":
        token = tokens[i]
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(tuple(row))
        elif token.type in ("th_open", "td_open"):
            if not rows:
                style = token.attrGet("style") or ""
                align.append("right" if "right" in style else "center" if "center" in style else "left")
            row.append(_inline(tokens[i + 1].children or []))
        i += 1
    blocks.append(Block("table", rows=tuple(rows), align=tuple(align)))
    return i


def _inline(children: list) -> tuple[Span, ...]:
    """Fold markdown-it's flat inline tokens into nested spans."""
    stack: list[tuple[str, str, list[Span]]] = [("root", "", [])]
    for token in children:
        kind = token.type
        if kind in ("strong_open", "em_open", "link_open"):
            url = str(token.attrGet("href") or "") if kind == "link_open" else ""
            stack.append(({"strong_open": "bold", "em_open": "italic"}.get(kind, "link"), url, []))
        elif kind in ("strong_close", "em_close", "link_close") and len(stack) > 1:
            name, url, spans = stack.pop()
            stack[-1][2].append(Span(name, children=tuple(spans), url=url))
        elif kind in ("text", "html_inline") and token.content:
            # Entities and backslash escapes are decoded by now: check the decoded text again.
            stack[-1][2].append(Span("text", drop_mentions(token.content)))
        elif kind == "code_inline":
            stack[-1][2].append(Span("code", drop_mentions(token.content)))
        elif kind in ("softbreak", "hardbreak"):
            stack[-1][2].append(Span("break"))
        elif kind == "image":
            alt = drop_mentions("".join(c.content for c in token.children or [])) or "image"
            stack[-1][2].append(Span("link", children=(Span("text", alt),), url=str(token.attrGet("src") or "")))
    while len(stack) > 1:  # markdown-it closes what it opens; this only guards against surprises
        name, url, spans = stack.pop()
        stack[-1][2].append(Span(name, children=tuple(spans), url=url))
    return tuple(stack[0][2])


@dataclass(frozen=True)
class Link:
    """A link as every output shows it: its words, and where it goes (None: not a link at all)."""

    text: str
    url: str | None
    shown: str  # the address as displayed (mailto: left off)

    @property
    def self_describing(self) -> bool:
        """True when the words are the address itself, so the link cannot pose as another."""
        return not self.text or self.text in (self.url, self.shown)


def link_of(span: Span) -> Link:
    """Read a link span: its plain words, its safe URL (or None) and the address to show."""
    text = plain_text(span.children).strip()
    url = safe_url(span.url)
    if url is None:
        return Link(text or span.url, None, "")
    return Link(text, url, url[len("mailto:"):] if url.lower().startswith("mailto:") else url)


def plain_text(spans: tuple[Span, ...]) -> str:
    """Return the spans' visible text without formatting (links keep only their text)."""
    return "".join(" " if s.kind == "break" else s.text if not s.children else plain_text(s.children)
                   for s in spans)


# ----- Slack mrkdwn -----------------------------------------------------------------------------

def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack reads as control sequences."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Characters that would start formatting the author did not ask for; Slack has no escape for them,
# so stray ones become look-alikes (only in plain text: code shows them as they are).
_STRAY_MARKS = str.maketrans({"*": "∗", "~": "∼", "`": "ˋ"})
_STRAY_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def _text_mrkdwn(text: str) -> str:
    return escape_mrkdwn(_STRAY_UNDERSCORE.sub("ˍ", text.translate(_STRAY_MARKS)))


def _wrap(mark: str, inner: str) -> str:
    core = inner.strip()
    if not core:
        return inner
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def write_spans(spans: tuple[Span, ...], writers: dict[str, Callable[[Span], str]]) -> str:
    """Write inline spans with one writer per kind (the Slack and HTML outputs each bring theirs)."""
    return "".join(writers[span.kind](span) for span in spans if span.kind in writers)


def _code_mrkdwn(span: Span) -> str:
    code = escape_mrkdwn(span.text.replace("`", "ˋ").replace("\n", " "))
    return f"`{code}`" if code.strip() else code


def spans_mrkdwn(spans: tuple[Span, ...]) -> str:
    """Write inline spans as Slack mrkdwn."""
    return write_spans(spans, _MRKDWN)


def _link_mrkdwn(span: Span) -> str:
    link = link_of(span)
    if link.url is None:
        return _text_mrkdwn(link.text)
    if link.self_describing:
        return f"<{escape_mrkdwn(link.url)}>"
    # The text is not the address: show both, so the reader sees where it goes.
    return f"{_text_mrkdwn(link.text)} ({escape_mrkdwn(link.shown)})"


_MRKDWN: dict[str, Callable[[Span], str]] = {
    "text": lambda span: _text_mrkdwn(span.text),
    "break": lambda span: "\n",
    "code": _code_mrkdwn,
    "bold": lambda span: _wrap("*", spans_mrkdwn(span.children)),
    "italic": lambda span: _wrap("_", spans_mrkdwn(span.children)),
    "link": _link_mrkdwn,
}


def _block_mrkdwn(block: Block) -> str:
    if block.kind == "heading":
        title = _text_mrkdwn(plain_text(block.spans).strip())
        return f"*{title}*" if title else ""
    if block.kind == "item":
        return "    " * max(0, block.level - 1) + f"{block.marker} {spans_mrkdwn(block.spans)}"
    if block.kind == "quote":
        return "\n".join(f"> {line}" for line in spans_mrkdwn(block.spans).split("\n"))
    if block.kind == "code":
        return "```\n" + escape_mrkdwn(block.text.replace("```", "ˋˋˋ")) + "\n```"
    if block.kind == "rule":
        return "──────────"
    if block.kind == "table":
        return "```\n" + escape_mrkdwn(_table_text(block).replace("```", "ˋˋˋ")) + "\n```"
    return spans_mrkdwn(block.spans)


def _table_text(block: Block) -> str:
    """Align a table's cells in columns (Slack has no tables; a code block keeps them lined up)."""
    cells = [[plain_text(cell).strip() for cell in row] for row in block.rows]
    widths = [max((len(r[c]) for r in cells if c < len(r)), default=0) for c in range(max(map(len, cells), default=0))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for c, width in enumerate(widths):
            text = row[c] if c < len(row) else ""
            right = c < len(block.align) and block.align[c] == "right"
            parts.append(text.rjust(width) if right else text.ljust(width))
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("─" * w for w in widths))
    return "\n".join(lines)


def to_slack_mrkdwn(markdown: str, limit: int = SECTION_LIMIT, clipped_note: str = "") -> str:
    """Convert a Markdown answer to safe Slack mrkdwn of at most `limit` characters.

    When it does not fit, whole blocks are kept while they fit, then `…` and `clipped_note`
    (e.g. "the full answer is in the PDF") end the text.
    """
    pieces = [text for text in (_block_mrkdwn(b) for b in parse(markdown)) if text.strip()]
    text = "\n".join(pieces)
    if len(text) <= limit:
        return text
    tail = f"\n{CLIPPED} _{escape_mrkdwn(clipped_note)}_" if clipped_note else f"\n{CLIPPED}"
    room = max(0, limit - len(tail))
    kept: list[str] = []
    used = 0
    for piece in pieces:
        cost = len(piece) + (1 if kept else 0)
        if used + cost > room:
            if not kept:  # one block larger than the whole budget: cut it safely
                kept.append(_cut_block(piece, room))
            break
        kept.append(piece)
        used += cost
    return ("\n".join(kept) + tail)[:limit] if len(tail) <= limit else CLIPPED[:limit]


def _cut_block(piece: str, room: int) -> str:
    """Cut one rendered block to `room` characters without splitting an escape, a link or a fence."""
    fenced = piece.startswith("```\n")
    budget = room - (4 if fenced else 0)
    if budget <= 0:
        return ""
    cut = piece[:budget]
    # Never end inside `&amp;` or `<https://…>`: go back to before the unfinished one.
    amp, lt = cut.rfind("&"), cut.rfind("<")
    if amp > cut.rfind(";"):
        cut = cut[:amp]
    if lt > cut.rfind(">"):
        cut = cut[:lt]
    return cut + ("\n```" if fenced else "")
