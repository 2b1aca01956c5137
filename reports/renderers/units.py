"""What a numeric column measures (money, percent, a count) and how its values are written.

A column says so explicitly (`Column.unit`: "percent", "ratio", a currency code such as "EUR"
or a symbol such as "€"), or by its name: `revenue_eur`, `price ($)`, `conversion_pct`,
`share %`. Money words without a currency (`revenue`, `price`, `cost`, …) get two decimals but
no symbol. "percent" values are percentage points (12.5 → 12.5 %); "ratio" values are fractions
(0.125 → 12.5 %). The charts, the PDF and HTML tables, the key figures and the XLSX number
formats all read the unit from here, so a column looks the same in every format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reports.renderers.formatting import compact, is_id_column, thousands
from reports.table import Column, ColumnType

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩", "BRL": "R$"}
_CODES = ("USD", "EUR", "GBP", "JPY", "CNY", "INR", "KRW", "BRL", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN")
_MONEY_WORDS = re.compile(
    r"(^|[\s_\-])(revenue|price|cost|costs|amount|sales|spend|spent|income|profit|margin_abs|gmv|arpu|aov|mrr|arr|"
    r"fee|fees|budget|payout|refunds?|total_value|value_usd)($|[\s_\-])",
    re.IGNORECASE,
)
_PERCENT_NAME = re.compile(r"(%|(^|[\s_\-])(pct|percent|percentage)($|[\s_\-]))", re.IGNORECASE)
_RATIO_NAME = re.compile(r"(^|[\s_\-])(ratio|rate|share)($|[\s_\-])", re.IGNORECASE)
_CODE_NAME = re.compile(r"(^|[\s_\-(\[])(" + "|".join(_CODES) + r")($|[\s_\-)\]])", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """`kind` is money, percent, ratio, count, number or id; `symbol` is the currency's sign or code."""

    kind: str = "number"
    symbol: str = ""

    @property
    def averaged(self) -> bool:
        """Percentages and ratios are averaged, never summed, into a key figure."""
        return self.kind in ("percent", "ratio")


def unit_of(column: Column) -> Unit:
    """Return the unit the column declares, or the one its name implies."""
    if not column.type.is_numeric:
        return Unit("text")
    declared = (getattr(column, "unit", "") or "").strip()
    if declared:
        return _declared(declared)
    name = column.name
    if is_id_column(name):
        return Unit("id")  # an identifier: digits as they are, no thousands separators
    for symbol in ("€", "£", "¥", "₹", "₩", "$"):
        if symbol in name:
            return Unit("money", symbol)
    code = _CODE_NAME.search(name)
    if code:
        upper = code.group(2).upper()
        return Unit("money", SYMBOLS.get(upper, upper + " "))
    if _PERCENT_NAME.search(name):
        return Unit("percent")
    if column.type == ColumnType.NUMBER and _RATIO_NAME.search(name):
        return Unit("ratio")
    if _MONEY_WORDS.search(name):
        return Unit("money")
    return Unit("count" if column.type == ColumnType.INTEGER else "number")


_UNIT_WORDS = re.compile(r"[\s_\-]*(\((?:[$€£¥₹₩%]|[A-Za-z]{3})\)|%|pct|percent|percentage|"
                         + "|".join(_CODES) + r")$", re.IGNORECASE)


def label_of(name: str) -> str:
    """Turn a column name into a label: "net_revenue_eur" -> "Net revenue", "GMV" stays "GMV"."""
    text = " ".join(name.replace("_", " ").split()) or name
    shorter = _UNIT_WORDS.sub("", text).strip()
    text = shorter or text  # the unit is shown with the figure; "pct" alone stays a name
    return text[:1].upper() + text[1:]


def _declared(text: str) -> Unit:
    lowered = text.lower()
    if lowered in ("percent", "%", "pct"):
        return Unit("percent")
    if lowered in ("ratio", "fraction"):
        return Unit("ratio")
    if lowered in ("count", "number"):
        return Unit(lowered)
    if lowered == "money":
        return Unit("money")
    upper = text.upper()
    return Unit("money", SYMBOLS.get(upper, text if len(text) <= 2 else upper + " "))


def _percent_value(value: float, unit: Unit) -> float:
    return value * 100 if unit.kind == "ratio" else value


def format_full(value: float | int, unit: Unit) -> str:
    """Write a value in full, for tables and key figures: "€1,234.50", "12.5%", "1,234"."""
    if unit.kind == "id":
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else str(value)
    if unit.kind in ("percent", "ratio"):
        return f"{_percent_value(value, unit):,.1f}%"
    if unit.kind == "money":
        sign = "-" if value < 0 else ""
        return f"{sign}{unit.symbol}{abs(value):,.2f}"
    return thousands(value)


def format_short(value: float | int, unit: Unit) -> str:
    """Write a value short, for chart labels and big numbers: "€12.3K", "12.5%", "4.2M"."""
    if unit.kind in ("percent", "ratio"):
        return f"{_percent_value(value, unit):,.1f}%".replace(".0%", "%")
    text = compact(value)
    if unit.kind == "money":
        if abs(value) < 1_000 and not float(value).is_integer():
            text = f"{abs(value):,.2f}"
        return ("-" if value < 0 else "") + unit.symbol + text.lstrip("-")
    return text


def excel_format(unit: Unit, decimals: int) -> str:
    """Return the Excel number format for the unit (thousands separators, 2 decimals for money)."""
    if unit.kind == "percent":
        return '#,##0.0"%"'  # the values are percentage points already; Excel's % would multiply by 100
    if unit.kind == "ratio":
        return "0.0%"
    if unit.kind == "id":
        return "0"
    if unit.kind == "money":
        symbol = unit.symbol.replace('"', "")
        return f'"{symbol}"#,##0.00' if symbol else "#,##0.00"
    if decimals <= 0:
        return "#,##0"
    return "#,##0." + "0" * min(decimals, 4)
