"""Building progress reports: the one entry point for the beat task, the command and the admin.

``report_build`` claims the report row atomically (unique per kind and period start, then a
conditional UPDATE of its state), so a second call, a second worker or a second beat run finds
it claimed or built and does nothing. A forced rebuild renders the files again from the same
frozen snapshot and replaces them in place; the snapshot itself is never re-taken.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import MANAGER
from plans.models import Department

from . import figures as tables
from .charts import health_bars_svg
from .files import write_docx, write_xlsx
from .models import Report, Snapshot, TaskSnapshot
from .periods import KINDS, PERIOD_NAMES, Period, period_containing, periods_due
from .signals import report_built
from .snapshot import snapshot_take

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died (Celery's hard limit is 10 minutes).
STALE_CLAIM = datetime.timedelta(minutes=30)


class ReportError(ValueError):
    """A report that cannot be built as asked (its period has not ended, an unknown kind…)."""


def report_period(*, kind: str, day: datetime.date, today: datetime.date | None = None) -> Period:
    """The period of ``kind`` containing ``day``; it must have ended before ``today``."""
    if kind not in KINDS:
        raise ReportError(_("Unknown period “%(kind)s”: choose week or month.") % {"kind": kind})
    period = period_containing(kind, day)
    today = today or timezone.localdate()
    if period.end >= today:
        raise ReportError(
            _("The %(kind)s of %(day)s ends on %(end)s: its report can be built from the day after.")
            % {"kind": PERIOD_NAMES[kind], "day": f"{day:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"}
        )
    return period


def report_build(
    *,
    kind: str,
    day: datetime.date,
    department=None,
    user=None,
    force: bool = False,
    today: datetime.date | None = None,
) -> Report:
    """Build (or return the already built) report of the ``kind`` period containing ``day``: the bureau's,
    or with ``department`` that department's own."""
    period = report_period(kind=kind, day=day, today=today)
    report, __ = Report.objects.get_or_create(
        kind=kind,
        period_start=period.start,
        department=department,
        defaults={"period_end": period.end, "cut_off": period.cut_off},
    )
    was_built = report.state == Report.State.BUILT
    now = timezone.now()
    claimable = Q(state__in=[Report.State.PENDING, Report.State.FAILED]) | Q(
        state=Report.State.BUILDING, claimed_at__lt=now - STALE_CLAIM
    )
    if force:
        claimable |= Q(state=Report.State.BUILT)
    if not Report.objects.filter(claimable, pk=report.pk).update(state=Report.State.BUILDING, claimed_at=now):
        report.refresh_from_db()
        return report  # built already, or being built by someone else right now
    try:
        return _build(report, period, user=user, rebuilt=was_built)
    except Exception as error:
        logger.exception("report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(state=Report.State.FAILED, error=f"{type(error).__name__}: {error}")
        raise


def _build(report: Report, period: Period, *, user, rebuilt: bool) -> Report:
    # The snapshot commits on its own; files are rendered outside any transaction so that a
    # long render does not hold the database's write lock.
    if report.snapshot_id is None:
        report.snapshot = _period_snapshot(report, period)
        Report.objects.filter(pk=report.pk).update(snapshot=report.snapshot)
    built_on = timezone.localdate()
    department = report.department
    figures = {
        **tables.report_figures(report.snapshot, period, department),
        "cut_off_date": f"{period.end:%Y-%m-%d}",
        "built_on": f"{built_on:%Y-%m-%d}",
        "built_on_words": f"{built_on.year}年{built_on.month}月{built_on.day}日",
    }
    overdue = tables.overdue_rows(report.snapshot, report.department_id)
    behind = tables.behind_rows(report.snapshot, report.department_id)
    files = {
        "xlsx": write_xlsx(figures, overdue=overdue, behind=behind),
        "docx": write_docx(figures, overdue=overdue, behind=behind),
    }
    for field, data in files.items():
        stored = getattr(report, field)
        name = stored.field.generate_filename(report, f"report-{report.kind}-{report.period_start:%Y-%m-%d}.{field}")
        # Replace in place: the same name, not name_abc123 beside the old file.
        for old in {stored.name, name} - {"", None}:
            stored.storage.delete(old)
        stored.save(name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    report.figures = figures
    report.title = figures["title"]
    report.state = Report.State.BUILT
    report.built_at = timezone.now()
    report.built_by = user
    report.error = ""
    with transaction.atomic():
        report.save()
        transaction.on_commit(lambda: report_built.send(sender=Report, report=report, rebuilt=rebuilt))
    return report


def _period_snapshot(report: Report, period: Period) -> Snapshot:
    """The snapshot of the period's cut-off: the one its other reports (bureau, departments) use, else a new one."""
    shared = (
        Report.objects.filter(kind=report.kind, period_start=report.period_start, snapshot__isnull=False)
        .exclude(pk=report.pk)
        .select_related("snapshot")
        .first()
    )
    if shared:
        return shared.snapshot
    return snapshot_take(start=period.start, end=period.end, cut_off=period.cut_off)


def report_departments(report: Report) -> QuerySet[Department]:
    """The departments with tasks in a built report's snapshot: each gets a report of its own."""
    departments = TaskSnapshot.objects.filter(snapshot=report.snapshot_id, lead_department__isnull=False)
    return Department.objects.filter(pk__in=departments.values("lead_department_id")).order_by("pk")


def reports_build_due(*, today: datetime.date | None = None) -> list[int]:
    """Build every report due ``today`` (see ``reports.periods.periods_due``): the bureau's, then each
    department's from the same snapshot; returns their ids.

    One failing report does not stop the others; it stays FAILED with its error, and the next
    run tries it again.
    """
    today = today or timezone.localdate()
    built = []
    for period in periods_due(today):
        try:
            bureau = report_build(kind=period.kind, day=period.start, today=today)
        except Exception:  # logged and recorded on the report by report_build
            continue
        built.append(bureau.pk)
        if bureau.snapshot_id is None:
            continue  # being built by another worker, which builds the departments' too
        for department in report_departments(bureau):
            try:
                built.append(report_build(kind=period.kind, day=period.start, department=department, today=today).pk)
            except Exception:
                continue
    return built


@transaction.atomic
def report_delete(*, report: Report) -> None:
    """A report, its files and its snapshot rows (a snapshot no other report uses)."""
    snapshot_id = report.snapshot_id
    for stored in (report.xlsx, report.docx):
        if stored:
            transaction.on_commit(lambda name=stored.name, storage=stored.storage: storage.delete(name))
    report.delete()
    if snapshot_id and not Report.objects.filter(snapshot_id=snapshot_id).exists():
        Snapshot.objects.filter(pk=snapshot_id).delete()


def report_recipients(report: Report) -> QuerySet:
    """Who receives a built report, by email: for the bureau's, the active managers (科长/局领导); for a
    department's, its leader in charge (分管领导) and the managers among its members (科长)."""
    people = get_user_model().objects.filter(is_active=True).exclude(email="")
    if report.department_id is None:
        people = people.filter(groups__name=MANAGER)
    else:
        people = people.filter(
            Q(led_departments=report.department_id) | Q(departments=report.department_id, groups__name=MANAGER)
        )
    return people.distinct().order_by("pk")


def report_context(report: Report) -> dict:
    """What the report's page and its standalone HTML file show: a constant number of queries."""
    preview = tables.PREVIEW_ROWS
    figures = report.figures
    return {
        "report": report,
        "figures": figures,
        "total": figures.get("total", {}),
        "colours": tables.COLOURS,
        "overdue": list(tables.overdue_rows(report.snapshot_id, report.department_id)[:preview])
        if report.snapshot_id
        else [],
        "behind": list(tables.behind_rows(report.snapshot_id, report.department_id)[:preview])
        if report.snapshot_id
        else [],
        "preview": preview,
        "chart": health_bars_svg(figures.get("total", {})),
    }


def report_html(report: Report) -> str:
    return render_to_string("reports/standalone.html", report_context(report))
