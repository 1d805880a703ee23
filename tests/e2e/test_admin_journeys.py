import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import TaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_report_progress_with_evidence_on_their_task(login, live_server, staff_a, task_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = tmp_path / "认定名单.pdf"
    evidence.write_bytes(b"%PDF-1.4 list of companies")
    page = login(staff_a)
    page.goto(f"{live_server.url}/manage/plans/task/")
    page.click(f"text={task_a.code}")
    page.fill("#id_updates-0-period", "2025-06")
    page.fill("#id_updates-0-value", "210")
    page.fill("#id_updates-0-narrative", "新认定高新技术企业210家")
    page.set_input_files("#id_updates-0-evidence_files", str(evidence))
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    update = task_a.updates.get()
    assert (update.value, update.reported_by_id) == (Decimal(210), staff_a.pk)
    assert update.evidence.get().original_name == "认定名单.pdf"


def test_staff_see_the_rule_when_a_cumulative_count_falls(login, live_server, staff_a, manager, task_a):
    from tracking.services import progress_report

    # Compared with the last approved figure (a manager's own report counts at once).
    progress_report(task=task_a, reported_by=manager, period="2025-05", value=Decimal(200))
    page = login(staff_a)
    page.goto(f"{live_server.url}/manage/plans/task/{task_a.pk}/change/")
    # The form after the one existing (read-only) update is the new one.
    page.fill("#id_updates-1-period", "2025-06")
    page.fill("#id_updates-1-value", "150")
    page.click("input[name=_save]")
    page.wait_for_selector(".errorlist")
    assert "150" in page.inner_text(".errorlist")
    assert task_a.updates.count() == 1


def test_a_manager_finds_the_overdue_tasks_with_the_health_filter(
    login, live_server, manager, department_a, current_plan
):
    today = timezone.localdate()
    plan = current_plan
    late = TaskFactory(
        plan=plan,
        code="九.1",
        title="逾期任务",
        lead_department=department_a,
        deadline=today - datetime.timedelta(days=10),
    )
    TaskFactory(plan=plan, code="九.2", title="正常任务", lead_department=department_a)
    page = login(manager)
    page.goto(f"{live_server.url}/manage/plans/task/")
    page.click("#changelist-filter >> text=逾期")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert late.code in rows.first.inner_text()
