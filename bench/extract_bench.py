"""How long the plan reader takes: the 13 public documents, a 200-page plan and a 50-page text PDF.

    .venv/bin/python bench/extract_bench.py

Prints figures, asserts nothing (the goals: the 13 documents well under a second, 200 pages under 1 s,
a 50-page PDF read and extracted under 3 s).
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

from intake.extraction import extract_plan, read_document  # noqa: E402

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
    from tests.intake.pdf_maker import PAGE_LINES, make_pdf, wrap

    paths = sorted((BASE_DIR / "seeds").glob("[0-9][0-9][0-9]_*.txt"))
    paths += sorted((BASE_DIR / "tests" / "data" / "more").glob("[0-9][0-9]_*.txt"))
    documents = [(p.name, p.read_bytes()) for p in paths]
    thirteen = timed(lambda: [extract_plan(read_document(data, name)) for name, data in documents])
    text = long_plan(200)
    tasks = len(extract_plan(text).tasks)
    big = timed(lambda: extract_plan(text), repeat=3)
    pdf_text = long_plan(60)
    lines = wrap(pdf_text)[: 50 * PAGE_LINES]
    pdf = make_pdf("\n".join(lines))
    pdf_tasks = len(extract_plan(read_document(pdf, "plan.pdf")).tasks)
    pdf_time = timed(lambda: extract_plan(read_document(pdf, "plan.pdf")), repeat=3)
    size = sum(len(d) for _, d in documents) / 1024
    print(f"13 public documents ({size:.0f} KB): {thirteen * 1000:.0f} ms (goal < 1000 ms)")
    print(f"200-page plan ({len(text) / 1000:.0f}k characters, {tasks} tasks): {big:.2f} s (goal < 1 s)")
    print(f"50-page text PDF ({len(pdf) / 1024:.0f} KB, {pdf_tasks} tasks): {pdf_time:.2f} s (goal < 3 s)")
    print(f"ratio to goal: documents {thirteen / 1.0:.2f}, 200 pages {big / 1.0:.2f}, 50-page PDF {pdf_time / 3.0:.2f}")


if __name__ == "__main__":
    main()
