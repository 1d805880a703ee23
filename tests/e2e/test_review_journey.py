"""The issue's main journey in a real browser: staff report and ask for more time; a manager approves
both, finds the overdue task through the filters and exports the list."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from plans.models import ReviewState
from tests.factories import TaskFactory
from tracking.models import ExtensionRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_report_extend_approve_find_and_export(
    login, browser, live_server, staff_a, manager, department_a, department_b, tmp_path, settings, current_plan
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    plan = current_plan
    late = TaskFactory(
        plan=plan,
        code="三.9",
        title="新认定高新技术企业",
        lead_department=department_a,
        owner=staff_a,
        deadline=today - datetime.timedelta(days=12),
    )
    TaskFactory(
        plan=plan,
        code="四.1",
        title="别的科室的逾期任务",
        lead_department=department_b,
        deadline=today - datetime.timedelta(days=30),
    )
    evidence = tmp_path / "名单.pdf"
    evidence.write_bytes(b"%PDF-1.4 list")

    # Staff: report progress with evidence on the task's page, then ask for an extension.
    page = login(staff_a)
    page.goto(f"{live_server.url}/manage/plans/task/{late.pk}/change/")
    page.fill("#id_updates-0-period", today.strftime("%Y-%m"))
    page.fill("#id_updates-0-value", "360")
    page.set_input_files("#id_updates-0-evidence_files", str(evidence))
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    page.goto(f"{live_server.url}/manage/tracking/extensionrequest/add/")
    page.click(".select2-selection")
    page.fill(".select2-search__field", "三.9")
    page.wait_for_selector(".select2-results__option--highlighted")
    page.keyboard.press("Enter")
    new_deadline = today + datetime.timedelta(days=60)
    page.fill("#id_new_deadline", new_deadline.isoformat())
    page.fill("#id_reason", "部分企业材料延迟报送")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert ExtensionRequest.objects.get().state == ReviewState.SUBMITTED

    # Manager: approve the report and the extension from the queues.
    context = page.context
    context.clear_cookies()
    page = login(manager)
    for url in ("/manage/plans/progressupdate/?state__exact=submitted", "/manage/tracking/extensionrequest/"):
        page.goto(live_server.url + url)
        page.check("#action-toggle")
        page.select_option("select[name=action]", "approve_selected")
        page.click("button[name=index]")
        page.wait_for_selector(".messagelist")
    late.refresh_from_db()
    assert late.deadline == new_deadline and late.updates.get().state == ReviewState.APPROVED

    # The task is no longer overdue; the other department's one is, and the filters find it.
    page.goto(f"{live_server.url}/overdue/")
    page.select_option("#id_department", str(department_b.pk))
    page.click("form.filters button[type=submit]")
    rows = page.locator("#task-list tbody tr")
    assert rows.count() == 1 and "四.1" in rows.first.inner_text()
    with page.expect_download() as download:
        page.click("text=导出 xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Decimal(late.updates.get().value) == 360
