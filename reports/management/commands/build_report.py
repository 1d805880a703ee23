"""Build (or reuse) the report of the week or month containing a date and copy its files to a folder."""

import datetime
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.models import Department
from reports.models import Report
from reports.services import ReportError, report_build, report_html


def _department(value: str) -> Department:
    """The department named ``value``, else the one whose id it is."""
    department = Department.objects.filter(name=value).first()
    if department is None and value.isdigit():
        department = Department.objects.filter(pk=int(value)).first()
    if department is None:
        names = "、".join(Department.objects.order_by("position", "name").values_list("name", flat=True)[:30])
        raise CommandError(f"--department {value!r}: no department has that name or id (there are: {names})")
    return department


class Command(BaseCommand):
    help = (
        "Build the weekly (ISO Monday–Sunday) or monthly report of the period containing --date, "
        "or reuse it if built, and write its xlsx, docx and HTML to --out; prints the three paths."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=["week", "month"])
        parser.add_argument(
            "--date", required=True, help="YYYY-MM-DD, any day in the period; the period must have ended"
        )
        parser.add_argument("--out", required=True, help="folder to write the files to (created if missing)")
        parser.add_argument("--force", action="store_true", help="render the files again from the frozen snapshot")
        parser.add_argument(
            "--department", help="a department's name or id: build its own report instead of the bureau's"
        )

    def handle(self, *args, period: str, date: str, out: str, force: bool, department: str | None, **options):
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date in the form YYYY-MM-DD") from None
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".build_report-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise CommandError(f"cannot write to {folder}: {error.strerror or error}") from None
        scope = _department(department) if department else None
        try:
            report = report_build(kind=period, day=day, department=scope, force=force)
        except ReportError as error:
            raise CommandError(str(error)) from None
        if report.state != Report.State.BUILT:
            raise CommandError(f"the report is {report.state} (another process is building it): try again shortly")
        base = f"report-{report.kind}-{report.period_start:%Y-%m-%d}" + (f"-department{scope.pk}" if scope else "")
        written = []
        for field in ("xlsx", "docx"):
            target = folder / f"{base}.{field}"
            with getattr(report, field).open("rb") as source, open(target, "wb") as copy:
                shutil.copyfileobj(source, copy)
            written.append(target)
        page = folder / f"{base}.html"
        page.write_text(report_html(report), encoding="utf-8")
        written.append(page)
        for path in written:
            self.stdout.write(str(path.resolve()))
