"""Building reports: idempotent, frozen, with files a bureau can read and a hook for the mail outbox."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db.models import F
from docx import Document

from accounts.roles import ADMINISTRATOR, MANAGER, STAFF
from plans.models import Task
from reports.models import Report, Snapshot
from reports.services import ReportError, report_build, report_recipients, reports_build_due
from reports.signals import report_built
from tests.factories import ProgressUpdateFactory, UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db
D = datetime.date


class FullDisk(FileSystemStorage):
    def _save(self, name, content):
        raise OSError(28, "No space left on device")


@pytest.fixture
def sent():
    received = []

    def receiver(sender, report, rebuilt, **kwargs):
        received.append((report.kind, report.period_start, rebuilt))

    report_built.connect(receiver)
    yield received
    report_built.disconnect(receiver)


def build_october(**kwargs):
    with time_machine.travel(at("2025-11-10"), tick=False):
        return report_build(kind="month", day=D(2025, 10, 1), **kwargs)


def test_build_due_twice_on_the_first_working_day_of_november_builds_each_report_once(
    october, sent, django_capture_on_commit_callbacks, department_a, department_b
):
    with time_machine.travel(at("2025-11-03", 7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = reports_build_due()
        with django_capture_on_commit_callbacks(execute=True):
            second = reports_build_due()
    reports = Report.objects.order_by("kind", F("department_id").asc(nulls_first=True))
    # The bureau's report and one for each department with tasks, for the month and the week just ended.
    scopes = [None, department_a.pk, department_b.pk]
    assert [(r.kind, r.period_start, r.department_id, r.state) for r in reports] == [
        *(("month", D(2025, 10, 1), scope, Report.State.BUILT) for scope in scopes),
        *(("week", D(2025, 10, 27), scope, Report.State.BUILT) for scope in scopes),
    ]
    assert sorted(first) == sorted(second) == sorted(r.pk for r in reports)
    # One snapshot per period, shared by its bureau and department reports.
    assert Snapshot.objects.count() == 2
    assert {r.kind: r.snapshot_id for r in reports if r.department_id is None} == {
        r.kind: r.snapshot_id for r in reports if r.department_id == department_b.pk
    }
    assert sorted(sent) == [("month", D(2025, 10, 1), False)] * 3 + [("week", D(2025, 10, 27), False)] * 3


def test_a_report_claimed_by_another_worker_is_left_to_it(october):
    Report.objects.create(
        kind="month",
        period_start=D(2025, 10, 1),
        period_end=D(2025, 10, 31),
        cut_off=at("2025-10-31", 23),
        state=Report.State.BUILDING,
        claimed_at=at("2025-11-10"),
    )
    report = build_october()
    assert report.state == Report.State.BUILDING and not report.xlsx and Snapshot.objects.count() == 0


def test_a_report_is_not_built_before_its_period_ends(october):
    with time_machine.travel(at("2025-10-31"), tick=False), pytest.raises(ReportError, match="ends on 2025-10-31"):
        report_build(kind="month", day=D(2025, 10, 1))
    assert not Report.objects.exists()


def test_a_report_read_later_shows_the_figures_of_its_cut_off(october, manager):
    report = build_october(user=manager)
    assert report.figures["total"] == {
        **report.figures["total"],
        "total": 5,
        "red": 3,
        "done": 0,
        "on_time_rate": 0,
    }
    # Later: the overdue task is reported done and approved, the target reached.
    ProgressUpdateFactory(task=october["target"], value=Decimal("450"), reported_at=at("2025-11-12"))
    Task.objects.filter(pk=october["late"].pk).update(completed_on=D(2025, 11, 12))
    again = build_october()
    assert again.pk == report.pk and again.built_at == report.built_at  # built once: reused
    rebuilt = build_october(force=True)
    assert rebuilt.figures["total"]["red"] == 3 and rebuilt.figures["total"]["done"] == 0
    assert rebuilt.snapshot_id == report.snapshot_id and rebuilt.xlsx.name == report.xlsx.name
    assert rebuilt.built_by is None  # the rebuild's, not the first build's


def test_the_files_hold_the_tables_the_summary_and_a_native_chart(october):
    report = build_october()
    book = openpyxl.load_workbook(io.BytesIO(report.xlsx.read()))
    assert book.sheetnames == ["汇总", "科室排名", "逾期清单", "滞后任务清单"]
    summary = book["汇总"]
    assert summary["A1"].value == report.title == "嘉兴市科技局2025年10月重点工作推进情况通报"
    assert summary._charts and book["科室排名"]._charts
    late = list(book["逾期清单"].iter_rows(min_row=3, values_only=True))
    assert [(r[2], r[6].date(), r[7]) for r in late] == [
        ("2", D(2025, 10, 15), 16),
        ("3", D(2025, 10, 20), 11),
        ("4", D(2025, 10, 25), 6),
    ]
    assert late[2][3] == "'=SUM(A1)"  # formula-like text escaped, as the ledger does
    ranking = list(book["科室排名"].iter_rows(min_row=3, values_only=True))
    assert [(r[1], r[3]) for r in ranking] == [("成果转化科", 2), ("高新技术科", 1)]
    behind = list(book["滞后任务清单"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in behind] == ["1", "5"]  # the furthest behind its expected progress first
    assert behind[0][5:8] == ("≥400家", "100家", pytest.approx(0.25))
    assert behind[0][8] == pytest.approx(303 / 364, abs=1e-4) and behind[1][6] == "40%"

    document = Document(io.BytesIO(report.docx.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert report.title in text.replace("\n", "")  # its title on two lines
    assert "截至2025年10月31日，全局共有重点任务5项，其中已完成0项" in text
    assert "逾期3项" in text and "成果转化科（2项）" in text
    cells = [[c.text for c in row.cells] for row in document.tables[1].rows]
    assert cells[1][:4] == ["1", "成果转化科", "2", "2"]
    overdue, behind = ([[c.text for c in r.cells] for r in table.rows] for table in document.tables[-2:])
    assert [row[1] for row in overdue[1:]] == ["2", "3", "4"] and overdue[1][5] == "16"
    assert [row[1] for row in behind[1:]] == ["1", "5"] and behind[1][4:7] == ["≥400家", "100家", "25.0%"]


def test_a_failing_build_is_recorded_and_tried_again(october, monkeypatch, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.reports.test_build.FullDisk"}}
    with pytest.raises(OSError):
        build_october()
    report = Report.objects.get()
    assert report.state == Report.State.FAILED and "No space left" in report.error
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    assert build_october().state == Report.State.BUILT


def test_recipients_are_the_active_managers_with_an_email(manager, staff_a, administrator):
    manager.email = "kezhang@example.cn"
    manager.save()
    UserFactory(username="juzhang", role=MANAGER, email="juzhang@example.cn", is_active=False)
    UserFactory(username="nomail", role=MANAGER, email="")
    UserFactory(username="admin2", role=ADMINISTRATOR, email="it@example.cn")
    staff_a.email = "keyuan@example.cn"
    staff_a.save()
    assert list(report_recipients(Report())) == [manager]


def test_a_department_report_holds_only_its_tasks_from_the_bureau_snapshot(october, department_b):
    bureau = build_october()
    with time_machine.travel(at("2025-11-10"), tick=False):
        own = report_build(kind="month", day=D(2025, 10, 1), department=department_b)
    assert own.pk != bureau.pk and own.snapshot_id == bureau.snapshot_id
    assert own.title == "嘉兴市科技局成果转化科2025年10月重点工作推进情况通报"
    assert own.figures["total"]["total"] == 2 and own.figures["total"]["red"] == 2
    assert [line["name"] for line in own.figures["by_department"]] == ["成果转化科"]
    assert own.figures["summary"].startswith("截至2025年10月31日，成果转化科共有重点任务2项")
    assert "逾期任务较多的科室" not in own.figures["summary"]
    book = openpyxl.load_workbook(io.BytesIO(own.xlsx.read()))
    assert [r[2] for r in book["逾期清单"].iter_rows(min_row=3, values_only=True)] == ["2", "4"]
    # Built once per department and period, like the bureau's.
    with time_machine.travel(at("2025-11-11"), tick=False):
        again = report_build(kind="month", day=D(2025, 10, 1), department=department_b)
    assert again.pk == own.pk and again.built_at == own.built_at
    assert Report.objects.count() == 2 and Snapshot.objects.count() == 1


def test_a_department_report_goes_to_its_leader_and_its_managers(department_a, department_b, manager):
    leader = UserFactory(username="fenguan", role=MANAGER, email="fenguan@example.cn")
    head = UserFactory(username="kezhang_a", role=MANAGER, email="a@example.cn", departments=[department_a])
    UserFactory(username="keyuan", role=STAFF, email="k@example.cn", departments=[department_a])
    UserFactory(username="kezhang_b", role=MANAGER, email="b@example.cn", departments=[department_b])
    department_a.leader = leader
    department_a.save()
    manager.email = "kezhang@example.cn"
    manager.save()
    assert list(report_recipients(Report(department=department_a))) == [leader, head]
    assert len(report_recipients(Report())) == 4  # the bureau's: every manager
