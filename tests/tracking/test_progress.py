import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Evidence, ProgressUpdate, Task
from plans.selectors import with_progress
from tests.factories import TaskFactory
from tracking.reviews import progress_approve
from tracking.services import progress_report

pytestmark = pytest.mark.django_db


def pdf(name="进展.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF" + b"0" * (size - 4), content_type="application/pdf")


def test_a_report_with_evidence_counts_toward_percent_once_a_manager_approves_it(
    staff_a, manager, task_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    update = progress_report(
        task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(200), evidence_files=[pdf()]
    )
    assert update.evidence.get().original_name == "进展.pdf"
    assert update.evidence.get().file.name.startswith(f"evidence/{task_a.pk}/{update.pk}/")
    task = with_progress(Task.objects.filter(pk=task_a.pk), today=datetime.date(2025, 7, 1)).get()
    assert (task.percent_complete, task.submitted_value) == (None, Decimal(200))  # waiting: shown, not counted
    progress_approve(update=update, reviewer=manager)
    task = with_progress(Task.objects.filter(pk=task_a.pk), today=datetime.date(2025, 7, 1)).get()
    assert task.percent_complete == pytest.approx(50.0) and task.submitted_value is None


def test_a_falling_cumulative_actual_needs_a_correction_note(staff_a, manager, task_a):
    first = progress_report(task=task_a, reported_by=staff_a, period="2025-05", value=Decimal(200))
    progress_approve(update=first, reviewer=manager)
    with pytest.raises(ValidationError) as caught:
        progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(150))
    assert "correction_note" in caught.value.message_dict
    progress_report(
        task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(150), correction_note="重复统计已剔除"
    )
    assert task_a.updates.count() == 2


def test_staff_have_one_report_a_period_waiting_and_correct_it_rather_than_send_another(staff_a, manager, task_a):
    from django.utils import translation

    from tracking.services import progress_correct

    waiting = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(150))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(160))
    assert caught.value.message_dict["period"] == ["2025年6月已有一份待审核的填报：请在任务页修改或撤回后再提交。"]
    other = progress_report(task=task_a, reported_by=staff_a, period="2025-05", value=Decimal(100))
    with pytest.raises(ValidationError) as caught:  # nor moved onto the period of another one waiting
        progress_correct(update=other, user=staff_a, period="2025-06", value=Decimal(100))
    assert "period" in caught.value.message_dict
    progress_correct(update=waiting, user=staff_a, period="2025-06", value=Decimal(160))  # its own period: fine
    progress_approve(update=waiting, reviewer=manager)
    progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(170))  # none waits now
    # A manager's own report counts at once, whatever waits.
    progress_report(task=task_a, reported_by=manager, period="2025-06", value=Decimal(180))
    assert task_a.updates.filter(period="2025-06").count() == 3


def test_a_value_over_target_is_allowed(staff_a, manager, task_a):
    update = progress_report(task=task_a, reported_by=staff_a, period="2025-11", value=Decimal(480))
    progress_approve(update=update, reviewer=manager)
    task = with_progress(Task.objects.filter(pk=task_a.pk), today=datetime.date(2025, 11, 30)).get()
    assert task.percent_complete == pytest.approx(120.0)
    assert task.health == "done"


def test_staff_cannot_report_on_another_departments_task(staff_a, task_b):
    with pytest.raises(PermissionDenied):
        progress_report(task=task_b, reported_by=staff_a, period="2025-06", value=Decimal(1))
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ..."), "not accepted"),
        (ContentFile(b"%PDF", name="../../etc/passwd.pdf"), "plain file name"),
        (pdf(size=3000), "limit"),
    ],
)
def test_a_bad_evidence_file_stores_nothing(staff_a, task_a, settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 2000
    with pytest.raises(ValidationError, match=message):
        progress_report(
            task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(1), evidence_files=[pdf(), upload]
        )
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_a_period_must_read_as_a_month_or_quarter(staff_a, task_a):
    for period in ("2025-13", "25-03", "2025/03"):
        with pytest.raises(ValidationError, match="YYYY-MM"):
            progress_report(task=task_a, reported_by=staff_a, period=period, value=Decimal(1))
    progress_report(task=task_a, reported_by=staff_a, period="2025-Q2", value=Decimal(1))


def test_a_milestone_is_reported_as_a_percent_no_more_than_100(staff_a, plan, department_a):
    task = TaskFactory(plan=plan, milestone=True, lead_department=department_a)
    with pytest.raises(ValidationError):
        progress_report(task=task, reported_by=staff_a, period="2025-06", percent=Decimal(120))
    progress_report(task=task, reported_by=staff_a, period="2025-06", percent=Decimal(60))


def test_staff_report_through_the_task_page_and_cannot_edit_it_afterwards(client, staff_a, task_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_a)
    url = reverse("admin:plans_task_change", args=[task_a.pk])
    response = client.post(
        url,
        {
            "updates-TOTAL_FORMS": "1",
            "updates-INITIAL_FORMS": "0",
            "updates-MIN_NUM_FORMS": "0",
            "updates-MAX_NUM_FORMS": "1000",
            "updates-0-period": "2025-06",
            "updates-0-value": "210",
            "updates-0-narrative": "新认定210家",
            "updates-0-evidence_files": [pdf("名单.pdf")],
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    update = task_a.updates.get()
    assert (update.value, update.reported_by, update.evidence.count()) == (Decimal(210), staff_a, 1)
    assert (
        client.get(reverse("admin:plans_progressupdate_change", args=[update.pk])).context["has_change_permission"]
        is False
    )
    download = client.get(reverse("evidence-download", args=[update.evidence.get().pk]))
    assert download.status_code == 200 and b"%PDF" in b"".join(download.streaming_content)


def test_the_task_page_shows_the_rule_when_a_report_breaks_it(client, staff_a, manager, task_a):
    progress_report(task=task_a, reported_by=manager, period="2025-05", value=Decimal(200))
    client.force_login(staff_a)
    response = client.post(
        reverse("admin:plans_task_change", args=[task_a.pk]),
        {
            "updates-TOTAL_FORMS": "1",
            "updates-INITIAL_FORMS": "0",
            "updates-MIN_NUM_FORMS": "0",
            "updates-MAX_NUM_FORMS": "1000",
            "updates-0-period": "2025-06",
            "updates-0-value": "100",
        },
    )
    assert response.status_code == 200
    assert "correction note" in response.content.decode() or "更正说明" in response.content.decode()
    assert task_a.updates.count() == 1


def test_evidence_of_another_department_cannot_be_downloaded(client, staff_a, staff_b, task_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = progress_report(
        task=task_b, reported_by=staff_b, period="2025-06", value=Decimal(5), evidence_files=[pdf()]
    )
    client.force_login(staff_a)
    assert client.get(reverse("evidence-download", args=[update.evidence.get().pk])).status_code == 404
