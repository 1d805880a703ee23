"""Figures and dates as a bureau writes them: ≥400家, 8–10场; 2026年11月29日 (file names, 通报 落款)."""

import datetime
from decimal import Decimal


def date_words(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_target(comparator: str, value: Decimal | None, value_max: Decimal | None, unit: str) -> str:
    """Render a target the way a plan writes it: ≥400家, 8–10场, ≈30项."""
    if value is None:
        return ""

    def number(d: Decimal) -> str:
        return f"{d.normalize():f}" if isinstance(d, Decimal) else f"{d:g}"

    if comparator == "range" and value_max is not None:  # Task.Comparator.RANGE
        return f"{number(value)}–{number(value_max)}{unit}"
    symbol = {">=": "≥", ">": ">", "~": "≈", "<=": "≤", "=": ""}.get(comparator, "")
    return f"{symbol}{number(value)}{unit}"
