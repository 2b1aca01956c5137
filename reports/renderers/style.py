"""The house style every format shares: colours, a stable colour per category, type sizes.

The PNG chart, the PDF and the HTML page (and so the email) take their colours from here, so a
report looks like one product whichever file is opened. A category's colour comes from a stable
hash of its name over the palette, so "West" is the same colour in every run and every format;
within one chart two categories never share a colour (the second takes the next free one).
"""

from __future__ import annotations

import hashlib

INK = "#1F2933"  # text
MUTED = "#616E7C"  # secondary text: period, notes, axis labels
FAINT = "#9AA5B1"  # the previous period's line
GRID = "#E4E7EB"
ZEBRA = "#F5F7FA"
HEADER_FILL = "#E9EEF5"
UP = "#1B7F4B"  # a figure that rose
DOWN = "#C23B22"  # a figure that fell
OTHER = "#B7BEC7"  # the "Other" bar
# Ten colours that stay apart for the common kinds of colour blindness and print well in grey.
PALETTE = (
    "#2F6FDE", "#E07A1F", "#2A9D6F", "#C2407F", "#7A5CC4",
    "#1C9BB5", "#B8860B", "#D1495B", "#5B7A2E", "#8C6D5A",
)
SANS_CSS = "-apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif"


def _slot(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "big") % len(PALETTE)


def colors_for(names: list[str]) -> list[str]:
    """Return a colour per name: from its hash, or the next free one when taken in this chart."""
    used: set[int] = set()
    colors = []
    for name in names:
        slot = _slot(name)
        for step in range(len(PALETTE)):
            candidate = (slot + step) % len(PALETTE)
            if candidate not in used or len(used) >= len(PALETTE):
                slot = candidate
                break
        used.add(slot)
        colors.append(PALETTE[slot])
    return colors


def rgb(color: str) -> tuple[int, int, int]:
    """Return "#RRGGBB" as an (r, g, b) tuple (for the PDF library)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def change_color(change: float | None) -> str:
    """Return the colour of a change: green up, red down, muted for none."""
    if change is None or change == 0:
        return MUTED
    return UP if change > 0 else DOWN


def change_text(change: float | None, *, vs: str = "vs previous period") -> str:
    """Write a change in percent: "▲ 12.3% vs previous period"; empty when there is none."""
    if change is None:
        return ""
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    amount = abs(change)
    shown = f"{amount:,.1f}" if amount < 10_000 else f"{amount:,.0f}"
    return f"{arrow} {shown}% {vs}".rstrip()
