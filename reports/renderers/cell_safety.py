"""Spreadsheet formula injection: text that a spreadsheet would run as a formula is neutralised.

A Slack message planted by any member can reach a report as `=HYPERLINK("https://evil", "Click")`;
opened in Excel, LibreOffice or Google Sheets, a cell starting with `=`, `+`, `-`, `@`, a tab or
a carriage return (OWASP's list; also their full-width forms, which some locales read the same
way, and the same after leading spaces) would be evaluated. Such text cells are written with a
leading apostrophe in CSV (OWASP's advice; spreadsheets hide it and show the text) and marked as
quoted text in XLSX (the `quotePrefix` Excel sets when someone types `'=`). Numbers stay numbers:
a negative number is a number, not a formula.

Machine consumers that need the cells byte for byte turn this off with the renderer option
`formula_escape: False` (or choose the `csv_raw` format).
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r＝＋－＠")


def formula_escape_on(options: dict) -> bool:
    """Tell whether text cells are neutralised (on unless the options say `formula_escape: False`)."""
    return options.get("formula_escape", True) is not False


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet could read this text cell as a formula."""
    start = text.lstrip(" ")[:1]
    return bool(start) and start in TRIGGERS


def neutralise(text: str) -> str:
    """Return the text with an apostrophe in front when a spreadsheet would run it."""
    return "'" + text if looks_like_formula(text) else text
