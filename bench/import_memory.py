"""Peak memory of a sheet import, new and unchanged, at a given size.

    .venv/bin/python bench/import_memory.py [--rows 100000]

Runs in a throwaway SQLite database. Prints time and peak resident memory; asserts nothing.
"""

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='import-memory')}/bench.sqlite3")

import import_bench  # noqa: E402  (sets up Django)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from plans.models import Department
    from plans.sheet_import import plan_import_sheet
    from plans.sheets.reading import open_sheet
    from plans.sheets.rows import TaskSheet

    call_command("migrate", verbosity=0)
    for name in import_bench.DEPARTMENTS:
        Department.objects.get_or_create(name=name)
    for name in import_bench.OWNERS:
        get_user_model().objects.get_or_create(username=name, defaults={"full_name": name})
    path = Path(tempfile.mkdtemp()) / "sheet.xlsx"
    path.write_bytes(import_bench.build_sheet(args.rows))
    gc.collect()
    print(f"{args.rows} rows, {path.stat().st_size / 1e6:.1f} MB file; peak RSS before importing: {peak_mb():.0f} MB")
    for label in ("new", "unchanged"):
        start = time.perf_counter()
        rows = TaskSheet(open_sheet(path.read_bytes(), path.name), plan_year=2025)
        result = plan_import_sheet(rows=rows, plan_year=2025, plan_title="内存基准", dry_run=False)
        totals = result.totals
        del rows, result
        gc.collect()
        print(f"{label:9}: {time.perf_counter() - start:.1f} s, peak RSS {peak_mb():.0f} MB, {totals}")


if __name__ == "__main__":
    main()
