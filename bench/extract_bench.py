"""How long the plan reader takes: the five seeds, and a 200-page plan built from them.

    .venv/bin/python bench/extract_bench.py

Prints figures, asserts nothing (the goals: the five seeds well under a second, 200 pages under 5 s).
"""

import os
import re
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import cn2an  # noqa: E402
import django  # noqa: E402

django.setup()

from plans.extraction import extract_plan, read_document  # noqa: E402

CHARS_PER_PAGE = 900  # a printed A4 page of Chinese government prose


def long_plan(pages: int) -> str:
    """Sections of numbered items whose text cycles through the seed plans' own items."""
    items = []
    for path in sorted((BASE_DIR / "seeds").glob("[0-9][0-9][0-9]_*.txt")):
        items += re.findall(r"(?m)^\d{1,2}\.(.{40,})$", path.read_text(encoding="utf-8"))
    lines, number, section = ["某市科技局2026年工作要点"], 0, 0
    while sum(len(line) for line in lines) < pages * CHARS_PER_PAGE:
        section += 1
        lines.append(f"{cn2an.an2cn(section)}、实施第{cn2an.an2cn(section)}项重点行动")
        for _ in range(12):
            number += 1
            lines.append(f"{number}.{items[number % len(items)]}")
    return "\n".join(lines)


def timed(function, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    seeds = [(p.name, p.read_bytes()) for p in sorted((BASE_DIR / "seeds").glob("[0-9][0-9][0-9]_*.txt"))]
    five = timed(lambda: [extract_plan(read_document(data, name)) for name, data in seeds])
    text = long_plan(200)
    tasks = len(extract_plan(text).tasks)
    big = timed(lambda: extract_plan(text), repeat=3)
    print(f"five seed documents ({sum(len(d) for _, d in seeds) / 1024:.0f} KB): {five * 1000:.0f} ms (goal < 1000 ms)")
    print(f"200-page plan ({len(text) / 1000:.0f}k characters, {tasks} tasks): {big:.2f} s (goal < 5 s)")
    print(f"ratio to goal: seeds {five / 1.0:.2f}, 200 pages {big / 5.0:.2f}")


if __name__ == "__main__":
    main()
