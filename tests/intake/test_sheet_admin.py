"""The admin's spreadsheet import: django-import-export's preview and confirm, the project's rules."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from intake.resources import PreviewCacheStorage
from plans.models import Department, Task

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "jiaxing_2025_breakdown.xlsx"  # from ../shared/samples
IMPORT = reverse("admin:plans_task_import")
CONFIRM = reverse("admin:plans_task_process_import")


def upload(client, plan, data, name="tasks.xlsx", **options):
    return client.post(
        IMPORT,
        {"plan": plan.pk, "resource": "0", "format": "0", "import_file": SimpleUploadedFile(name, data), **options},
    )


def confirm_fields(response):
    form = response.context["confirm_form"]
    return {field.html_name: field.value() for field in form}


def sheet(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["序号", "重点任务", "具体目标", "责任单位", "责任人", "完成时限"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_manager_previews_then_confirms_the_sample_sheet(client, manager, plan):
    client.force_login(manager)
    preview = upload(client, plan, SAMPLE.read_bytes(), "jiaxing.xlsx", create_unknown="on")
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.totals["new"] == 16 and not result.has_validation_errors()
    assert not Task.objects.exists()  # the preview wrote nothing
    fields = confirm_fields(preview)
    assert cache.get(PreviewCacheStorage.CACHE_PREFIX + fields["import_file_name"])  # shared, not a temp folder
    done = client.post(CONFIRM, fields)
    assert done.status_code == 302
    assert Task.objects.filter(plan=plan).count() == 16
    assert Task.objects.get(plan=plan, code="四.12").target_value_max == 10
    assert cache.get(PreviewCacheStorage.CACHE_PREFIX + fields["import_file_name"]) is None  # cleaned up


def test_the_preview_lists_every_row_with_its_kind_and_its_cells_escaped(client, manager, plan, department_a):
    client.force_login(manager)
    data = sheet([[1, "<b>任务一</b>", "400家以上", department_a.name, "", "2025-12-31"]])
    html = upload(client, plan, data).content.decode()
    row = re.search(r'<tr class="new">.*?</tr>', html, re.S).group(0)
    assert "<td>&lt;b&gt;任务一&lt;/b&gt;</td>" in row and "<td>2025-12-31</td>" in row
    assert re.search(r'<td class="import-type">\s*新增\s*</td>', row)


def test_unknown_names_offer_the_closest_departments_first_and_creating_one_last(client, manager, plan):
    from tests.factories import DepartmentFactory

    policy = DepartmentFactory(name="政策研究室")
    client.force_login(manager)
    preview = upload(client, plan, SAMPLE.read_bytes())
    html = preview.content.decode()
    assert not preview.context["result"].has_validation_errors() and "confirm_form" in preview.context
    choice = re.search(r'value="政策法规处"></td><td><select name="(choice-\d+)">(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="([^"]+)"', choice.group(2))
    assert options[0] == str(policy.pk) and options[-1] == "new"  # the closest first, creating last
    assert not Department.objects.filter(name="政策法规处").exists()  # the preview wrote nothing


def test_a_spelling_the_manager_confirms_is_remembered_for_the_next_sheet(client, manager, plan, department_a):
    from plans.models import DepartmentAlias

    client.force_login(manager)
    data = sheet([[1, "任务一", "400家以上", "科技企业服务组", "", "2025-12-31"]])
    preview = upload(client, plan, data)
    fields = confirm_fields(preview)
    html = preview.content.decode()
    number = re.search(r'name="name-(\d+)" value="科技企业服务组"', html).group(1)
    fields.update({f"name-{number}": "科技企业服务组", f"choice-{number}": str(department_a.pk)})
    assert client.post(CONFIRM, fields).status_code == 302
    assert Task.objects.get(code="1").lead_department == department_a
    assert DepartmentAlias.objects.get(name="科技企业服务组").department == department_a
    again = upload(client, plan, sheet([[2, "任务二", "30项", "科技企业服务组", "", ""]]))
    assert not again.context["result"].sheet.unknown_departments


def test_a_bad_row_shows_its_row_number_and_column_and_nothing_is_written(client, manager, plan, department_a):
    client.force_login(manager)
    data = sheet(
        [
            [1, "任务一", "400家以上", department_a.name, "", "2025-12-31"],
            [2, "任务二", "30项", department_a.name, "", "2025-02-30"],
        ]
    )
    preview = upload(client, plan, data)
    invalid = preview.context["result"].invalid_rows
    assert [row.number for row in invalid] == [3]
    assert "完成时限" in str(invalid[0].error) and "2025-02-30" in str(invalid[0].error)
    assert "confirm_form" not in preview.context and not Task.objects.exists()


def test_skipping_bad_rows_imports_the_good_ones(client, manager, plan, department_a):
    client.force_login(manager)
    data = sheet(
        [
            [1, "任务一", "400家以上", department_a.name, "", "2025-12-31"],
            [2, "任务二", "30项", department_a.name, "", "2025-02-30"],
        ]
    )
    preview = upload(client, plan, data, skip_errors="on")
    assert client.post(CONFIRM, confirm_fields(preview)).status_code == 302
    assert list(Task.objects.values_list("code", flat=True)) == ["1"]


def test_staff_cannot_import_tasks_as_they_cannot_add_them_and_are_told_why(client, staff_a, plan, department_a):
    client.force_login(staff_a)
    assert client.get(reverse("admin:plans_task_add")).status_code == 403
    refused = client.get(IMPORT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 403 and "新增任务" in refused.content.decode()
    data = sheet([[1, "本科任务", "400家以上", department_a.name, "", ""]])
    assert upload(client, plan, data).status_code == 403
    assert not Task.objects.exists()


def test_staff_given_task_import_import_only_into_their_own_departments(
    client, staff_a, plan, department_a, department_b
):
    from django.contrib.auth.models import Permission

    staff_a.user_permissions.add(Permission.objects.get(codename="add_task"))
    client.force_login(staff_a)
    data = sheet(
        [[1, "本科任务", "400家以上", department_a.name, "", ""], [2, "他科任务", "30项", department_b.name, "", ""]]
    )
    preview = upload(client, plan, data)
    invalid = preview.context["result"].invalid_rows
    assert [row.number for row in invalid] == [3]
    message = str(invalid[0].error)
    assert department_b.name in message and department_a.name in message and "只能导入本科室的任务" in message
    assert not Task.objects.exists()


def test_staff_cannot_import_without_the_change_permission(client, plan, department_a):
    from django.contrib.auth.models import Group

    from accounts.roles import STAFF
    from tests.factories import UserFactory

    viewer = UserFactory(username="viewer", departments=[department_a])
    viewer.groups.add(Group.objects.get(name=STAFF))
    Group.objects.get(name=STAFF).permissions.remove(
        *Group.objects.get(name=STAFF).permissions.filter(codename="change_task")
    )
    client.force_login(viewer)
    assert client.get(IMPORT).status_code == 403


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        # The page is in zh-hans: the reader's refusal in Chinese, naming the file chosen.
        (b"%PDF-1.4", "x.pdf", "“x.pdf”不是电子表格（看起来是 PDF、图片或文档）"),
        (b"PK\x03\x04broken", "x.xlsx", r"“x\.xlsx”不是可读取的 \.xlsx 文件（压缩包已损坏）"),
        (b"a,b,c\n1,2,3\n", "x.csv", "没有找到表头"),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(client, manager, plan, data, name, message):
    client.force_login(manager)
    response = upload(client, plan, data, name)
    assert response.status_code == 200
    assert re.search(message, response.content.decode())
    assert not Task.objects.exists()


def test_the_sample_sheet_is_confirmed_with_nothing_ticked_and_keeps_its_categories(client, manager, plan):
    client.force_login(manager)
    preview = upload(client, plan, SAMPLE.read_bytes(), "jiaxing.xlsx")
    result = preview.context["result"]
    assert not result.has_validation_errors() and "confirm_form" in preview.context
    assert result.sheet.totals == {"new": 16, "update": 0, "unchanged": 0, "error": 0, "skipped": 0}
    html = preview.content.decode()
    assert "≥1000家" in html and "8–10场" in html and "2025-09-30" in html
    fields = confirm_fields(preview)
    fields.update(dict(re.findall(r'name="(name-\d+)" value="([^"]+)"', html)))
    fields.update(dict(re.findall(r'<select name="(choice-\d+)">.*?<option value="([^"]+)" selected', html, re.S)))
    assert client.post(CONFIRM, fields).status_code == 302
    sections = Task.objects.filter(plan=plan, kind=Task.Kind.SECTION).values_list("code", flat=True)
    assert sorted(sections) == ["一", "三", "二", "四"]
    assert Task.objects.get(plan=plan, code="二.4").lead_department.name == "高新技术处"


def test_a_new_plan_left_without_a_period_spans_its_plan_year_not_the_current_one(client, manager):
    import datetime

    from plans.models import Plan

    client.force_login(manager)
    response = client.post(
        reverse("admin:plans_plan_add"),
        {"title": "2023年工作要点", "bureau": "科技局", "year": "2023", "state": "draft", "source": "manual"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    plan = Plan.objects.get(title="2023年工作要点")
    assert (plan.period_start, plan.period_end) == (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))


def test_the_preview_says_what_each_row_read_and_what_a_reimport_changes(client, manager, plan, department_a):
    client.force_login(manager)
    first = sheet([[1, "任务一", "400家以上", "高新科", "", "2025-12-31"], ["注：本表由办公室汇总。"]])
    preview = upload(client, plan, first)
    rows = {row.diff[0]: row.diff for row in preview.context["result"].valid_rows()}
    assert rows[2][4] == "≥400家" and rows[2][6] == "高新科 → 高新技术科" and rows[2][9] == "新增"
    assert rows[3][2] == "说明" and rows[3][9] == "跳过：表格下方的说明"
    assert client.post(CONFIRM, confirm_fields(preview)).status_code == 302
    again = upload(client, plan, sheet([[1, "任务一", "500家以上", "高新科", "", "2025-10-31"]]))
    outcome = again.context["result"].valid_rows()[0].diff[9]
    assert outcome.startswith("修改：") and "400 → 500" in outcome and "2025-12-31 → 2025-10-31" in outcome


def test_staff_map_an_unknown_name_to_their_department_but_cannot_create_one(client, staff_a, plan, department_a):
    from django.contrib.auth.models import Permission

    staff_a.user_permissions.add(Permission.objects.get(codename="add_task"))  # a staff member given task import
    client.force_login(staff_a)
    preview = upload(client, plan, sheet([[1, "本科任务", "400家以上", "高新组", "", ""]]))
    html = preview.content.decode()
    assert "confirm_form" in preview.context
    options = re.findall(r'<option value="([^"]+)"', html)
    assert str(department_a.pk) in options and "new" not in options
    fields = confirm_fields(preview)
    number = re.search(r'name="name-(\d+)" value="高新组"', html).group(1)
    fields.update({f"name-{number}": "高新组", f"choice-{number}": str(department_a.pk)})
    assert client.post(CONFIRM, fields).status_code == 302
    assert Task.objects.get(code="1").lead_department == department_a
    assert not Department.objects.filter(name="高新组").exists()
