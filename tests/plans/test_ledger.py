"""The ledger export: what the list shows, in a layout the importer reads back unchanged."""

import io
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from intake.sheet_import import plan_import_sheet
from intake.sheets.reading import read_rows
from intake.sheets.rows import read_task_rows
from plans.models import Plan, Task
from tests.factories import ProgressUpdateFactory, TaskFactory
from tests.intake.extraction_scoring import SEEDS

pytestmark = pytest.mark.django_db


def export(client, fmt="xlsx", **params):
    response = client.get(reverse("admin:plans_task_export"), {**params, "format": fmt})
    assert response.status_code == 200
    return response.content


@pytest.fixture
def demo_plans(db):
    call_command("setup_demo", stdout=StringIO())
    return Plan.objects.all()


def test_every_demo_plan_exports_and_importing_the_export_changes_nothing_in_either_format(client, demo_plans):
    """One test on the demo data, which takes seconds to load: every plan in one sheet, then each plan's
    xlsx and csv read back by the importer."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    sheet = openpyxl.load_workbook(io.BytesIO(export(client))).active
    assert sheet.max_row >= 3 + Task.objects.count()
    assert SEEDS.exists()

    client.force_login(get_user_model().objects.get(username="juzhang"))
    for fmt in ("xlsx", "csv"):
        for plan in demo_plans:
            content = export(client, fmt, plan__id__exact=plan.pk)
            rows = read_task_rows(read_rows(content, f"ledger.{fmt}"), plan_year=plan.year)
            result = plan_import_sheet(rows=rows, plan_year=plan.year, plan_title=plan.title, dry_run=True)
            changed = [(r.row.row, r.row.code, r.action, r.row.errors) for r in result.rows if r.action != "unchanged"]
            assert changed == [], (fmt, plan.title)
            assert len(result.rows) == plan.tasks.count()


def test_the_xlsx_ledger_has_a_title_a_frozen_header_dates_and_categories(client, manager, plan, department_a):
    section = TaskFactory(
        plan=plan,
        code="一",
        title="实施企业主体壮大行动",
        kind="section",
        target_value=None,
        comparator="",
        unit="",
        position=1,
    )
    task = TaskFactory(
        plan=plan,
        parent=section,
        code="一.1",
        title="加强科技企业培育",
        position=2,
        metric="新认定高新技术企业",
        lead_department=department_a,
    )
    ProgressUpdateFactory(task=task, value=Decimal(200))
    client.force_login(manager)
    book = openpyxl.load_workbook(io.BytesIO(export(client)))
    sheet = book.active
    assert "任务台账" in sheet["A1"].value and sheet.freeze_panes == "C4"
    assert [cell.value for cell in sheet[3]][:3] == ["序号", "重点任务", "具体目标"]
    assert sheet["A4"].value == "一、实施企业主体壮大行动" and "A4:L4" in {str(r) for r in sheet.merged_cells.ranges}
    row = [cell.value for cell in sheet[5]]
    assert row[:4] == ["一.1", "加强科技企业培育", "新认定高新技术企业400家以上", "高新技术科"]
    assert row[6].date() == task.deadline and row[7] == "200家" and row[8] == 0.5


def test_formula_like_text_is_escaped_in_both_formats(client, manager, plan, department_a):
    for i, title in enumerate(['=HYPERLINK("http://evil")', "+1", "-1", "@SUM(A1)"]):
        TaskFactory(
            plan=plan,
            code=f"X{i}",
            title=title,
            lead_department=department_a,
            milestone=True,
        )
    client.force_login(manager)
    csv_text = export(client, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1" in csv_text and "'@SUM" in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(export(client))).active
    titles = [sheet.cell(row=r, column=2).value for r in range(4, 8)]
    assert all(title.startswith("'") for title in titles)
    assert all(sheet.cell(row=r, column=2).data_type == "s" for r in range(4, 8))


def test_the_export_follows_the_lists_filters_and_the_users_scope(client, staff_a, task_a, task_b, manager):
    client.force_login(staff_a)
    codes = {row[0] for row in read_rows(export(client, "csv"), "x.csv")[1:]}
    assert codes == {task_a.code}
    client.force_login(manager)
    codes = {row[0] for row in read_rows(export(client, "csv", q=task_b.title), "x.csv")[1:]}
    assert codes == {task_b.code}
    assert len(read_rows(export(client, "csv"), "x.csv")) == 3


def test_the_task_list_offers_the_ledger_to_staff_and_the_task_import_to_managers(client, staff_a, manager, task_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:plans_task_changelist"), {"health": "red"}).content.decode()
    assert reverse("admin:plans_task_export") + "?health=red&amp;format=xlsx" in page
    # Importing tasks adds them, which staff may not do (their progress ledgers have their own import).
    assert reverse("admin:plans_task_import") not in page
    client.force_login(manager)
    page = client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert reverse("admin:plans_task_import") in page
