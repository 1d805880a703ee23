"""The admin's spreadsheet import: django-import-export's preview and confirm, the project's rules."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Department, Task
from plans.resources import PreviewCacheStorage

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


def test_unknown_names_block_the_confirm_until_the_manager_allows_creating_them(client, manager, plan):
    client.force_login(manager)
    preview = upload(client, plan, SAMPLE.read_bytes())
    assert preview.context["result"].has_validation_errors()
    assert "confirm_form" not in preview.context
    assert "政策法规处: not found" in preview.content.decode()
    assert not Department.objects.filter(name="政策法规处").exists()


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
        (b"%PDF-1.4", "x.pdf", "not a spreadsheet"),
        (b"PK\x03\x04broken", "x.xlsx", "zip package is broken"),
        (b"a,b,c\n1,2,3\n", "x.csv", "No header row"),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(client, manager, plan, data, name, message):
    client.force_login(manager)
    response = upload(client, plan, data, name)
    assert response.status_code == 200
    assert re.search(message, response.content.decode())
    assert not Task.objects.exists()
