"""Peak memory of a sheet import, new and unchanged, at a given size.

    .venv/bin/python bench/import_memory.py [--rows 100000]

Runs in a throwaway embedded PostgreSQL (or DATABASE_URL if set). The sheet is built in a child
process, so that the memory its writer takes does not hide the import's. Each run's peak is
the process's high-water mark (VmHWM), reset before the run where Linux allows it.
Prints time, peak resident memory and the peak above the memory before importing; asserts nothing.
"""

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="import-memory"))

import import_bench  # noqa: E402  (sets up Django)


def current_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current size
        return True
    except OSError:
        return False


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--write-sheet", type=Path, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.write_sheet:
        args.write_sheet.write_bytes(import_bench.build_sheet(args.rows))
        return
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from intake.sheet_import import plan_import_sheet
    from intake.sheets.reading import open_sheet
    from intake.sheets.rows import TaskSheet
    from plans.models import Department

    call_command("migrate", verbosity=0)
    settings.DEBUG = False  # as in production: with DEBUG on, Django keeps every query's SQL in memory
    for name in import_bench.DEPARTMENTS:
        Department.objects.get_or_create(name=name)
    for name in import_bench.OWNERS:
        get_user_model().objects.get_or_create(username=name, defaults={"full_name": name})
    path = Path(tempfile.mkdtemp()) / "sheet.xlsx"
    subprocess.run(
        [sys.executable, __file__, "--rows", str(args.rows), "--write-sheet", str(path)], check=True, env=os.environ
    )
    gc.collect()
    print(f"{args.rows} rows, {path.stat().st_size / 1e6:.1f} MB file; RSS before importing: {current_mb():.0f} MB")
    for label in ("new", "unchanged"):
        gc.collect()
        before = current_mb()
        exact = reset_peak()
        start = time.perf_counter()
        rows = TaskSheet(open_sheet(path.read_bytes(), path.name), plan_year=2025)
        result = plan_import_sheet(rows=rows, plan_year=2025, plan_title="内存基准", dry_run=False)
        totals = result.totals
        elapsed = time.perf_counter() - start
        peak = peak_mb()
        del rows, result
        print(
            f"{label:9}: {elapsed:.1f} s, peak RSS {peak:.0f} MB, "
            f"{'+' if exact else '≤ +'}{peak - before:.0f} MB above the {before:.0f} MB before, {totals}"
        )


if __name__ == "__main__":
    main()
