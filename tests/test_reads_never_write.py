"""No GET request writes to the database: every site page and every admin page (lists, add, change,
history and delete pages, the custom views), read as staff, manager and administrator, runs inside a
check that fails on any INSERT, UPDATE or DELETE. Derived state is kept by the writes
(``tracking.derived``), so a page that repairs it would show here."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from intake.models import SheetImportJob
from plans.models import Task
from reminders.models import Preference, TaskMute
from reminders.scan import scan
from reports.services import report_build
from tests.factories import ProgressUpdateFactory, TaskFactory
from tracking import reviews
from tracking.services import progress_report

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", re.IGNORECASE)
WRITING_CTE = re.compile(r"^\s*WITH\b.*\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE | re.DOTALL)
NOW = datetime.datetime(2025, 6, 16, 10, tzinfo=datetime.UTC)  # a Monday


class Writes:
    """An execute wrapper that records every statement that writes, apart from the security audit log: an
    export is a read of the data and an event the audit must keep (等保 安全审计, docs/security.md)."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if (WRITE.match(sql) or WRITING_CTE.match(sql)) and not sql.startswith('INSERT INTO "audit_auditevent"'):
            self.statements.append(sql[:200])
        return execute(sql, params, many, context)


@pytest.fixture
def everything(plan, department_a, staff_a, manager, administrator):
    """At least one row of every model the admin shows, and a built report."""
    with time_machine.travel(NOW, tick=False):
        staff_a.email = "keyuan@example.gov.cn"
        staff_a.save()
        tasks = [
            TaskFactory(plan=plan, code="1", lead_department=department_a, owner=staff_a),
            TaskFactory(
                plan=plan, code="2", lead_department=department_a, deadline=datetime.date(2025, 6, 1), kind="milestone"
            ),
            TaskFactory(plan=plan, code="3", lead_department=department_a, deadline=datetime.date(2025, 6, 20)),
        ]
        ProgressUpdateFactory(task=tasks[0], value=Decimal(100), reported_by=manager)
        with_evidence = progress_report(
            task=tasks[0],
            reported_by=staff_a,
            period="2025-06",
            value=Decimal(150),
            evidence_files=[SimpleUploadedFile("名单.pdf", b"%PDF-1.4 evidence")],
        )
        returned = progress_report(task=tasks[2], reported_by=staff_a, period="2025-06", value=Decimal(10))
        reviews.progress_return(update=returned, reviewer=manager, reason="请附名单")
        reviews.extension_request(
            task=tasks[2], requested_by=staff_a, new_deadline=datetime.date(2025, 9, 30), reason="企业申报延期"
        )
        reviews.closure_request(task=tasks[0], requested_by=staff_a, update=with_evidence, note="已完成")
        TaskMute.objects.create(user=staff_a, task=tasks[1])
        Preference.objects.create(user=manager)
        SheetImportJob.objects.create(plan=plan, user=manager, file_name="分解表.xlsx", storage_name="x")
        scan(datetime.date(2025, 6, 16), now=NOW)
        report = report_build(kind="month", day=datetime.date(2025, 5, 1))
    return {"tasks": tasks, "update": with_evidence, "report": report}


def admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:{}_{}_add".format(*info))]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[first.pk]))
    return urls


def site_urls(everything) -> list[str]:
    task, report = everything["tasks"][0], everything["report"]
    evidence = everything["update"].evidence.first()
    history = Task.history.filter(id=task.pk).first()
    job = SheetImportJob.objects.first()
    return [
        reverse("home"),
        reverse("overdue"),
        reverse("overdue") + "?format=xlsx",
        reverse("behind-pace"),
        reverse("due-soon"),
        reverse("dashboard"),
        reverse("dashboard") + f"?plan={task.plan_id}",
        reverse("task", args=[task.pk]),
        reverse("evidence-download", args=[evidence.pk]),
        reverse("healthz"),
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:download", args=[report.pk, "xlsx"]),
        reverse("reminders:settings"),
        reverse("admin:plans_task_changelist") + "?health=red",
        reverse("admin:plans_task_export"),
        reverse("admin:plans_task_import"),
        reverse("admin:plans_task_import_job", args=[job.pk]),
        reverse("admin:plans_task_import_job_status", args=[job.pk]),
        reverse("admin:plans_task_simple_history", args=[task.pk, history.history_id]),
        reverse("admin:plans_plan_import_document"),
        reverse("admin:plans_progressupdate_changelist") + "?state__exact=submitted",
    ]


@pytest.mark.parametrize("who", ["staff_a", "manager", "administrator"])
def test_no_page_writes_to_the_database_for_anyone(client, everything, who, request):
    client.force_login(request.getfixturevalue(who))
    urls = site_urls(everything) + admin_urls()
    writes, shown = Writes(), []
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):  # a day after the writes
        # The one write a GET may make: the idle timeout renews the session at most once a minute
        # (accounts.middleware). The first page renews it here, outside the check; time stands still after.
        client.get(reverse("home"))
        for url in urls:
            before = len(writes.statements)
            with connection.execute_wrapper(writes):
                response = client.get(url)
            assert len(writes.statements) == before, (url, writes.statements[before:])
            if response.status_code == 200:
                shown.append(url)
    assert not writes.statements
    # The check saw real pages, not only refusals: a manager and an administrator see nearly all of them.
    assert len(shown) >= {"staff_a": 10, "manager": 50, "administrator": 50}[who], len(shown)
