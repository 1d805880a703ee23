"""Dates as a bureau writes them in words: 2026年11月29日 (file names, 通报 落款), not zero-padded."""

import datetime


def date_words(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
