"""A task's own page: staff report, ask for more time and report done without the admin."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import ReviewState
from tracking.models import ClosureRequest, ExtensionRequest
from tracking.services import progress_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def july_2025():
    """The factories' plan runs through 2025; the report form offers the periods begun by today."""
    with time_machine.travel(datetime.datetime(2025, 7, 10, 10, tzinfo=datetime.UTC), tick=False):
        yield


def test_staff_report_progress_with_evidence_on_the_task_page(client, staff_a, task_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_a)
    url = reverse("task", args=[task_a.pk])
    response = client.post(
        url,
        {
            "action": "report",
            "period": "2025-06",
            "value": "210",
            "narrative": "新认定210家",
            "evidence_files": [SimpleUploadedFile("名单.pdf", b"%PDF-1.4 x")],
        },
    )
    assert response.status_code == 302
    update = task_a.updates.get()
    assert (update.value, update.state, update.evidence.count()) == (Decimal(210), ReviewState.SUBMITTED, 1)
    page = client.get(url).content.decode()
    assert "名单.pdf" in page and "210" in page


def test_a_broken_rule_shows_on_the_form_and_nothing_is_stored(client, staff_a, manager, task_a):
    progress_report(task=task_a, reported_by=manager, period="2025-05", value=Decimal(200))
    client.force_login(staff_a)
    response = client.post(reverse("task", args=[task_a.pk]), {"action": "report", "period": "2025-06", "value": "100"})
    assert response.status_code == 200 and response.context["report"].errors
    assert task_a.updates.count() == 1


def test_a_bad_evidence_file_is_refused_with_its_name(client, staff_a, task_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_a)
    response = client.post(
        reverse("task", args=[task_a.pk]),
        {
            "action": "report",
            "period": "2025-06",
            "value": "10",
            "evidence_files": [SimpleUploadedFile("病毒.exe", b"MZ")],
        },
    )
    assert response.status_code == 200 and "病毒.exe" in str(response.context["report"].errors)
    assert not task_a.updates.exists() and not any(tmp_path.rglob("*.*"))


def test_staff_ask_for_an_extension_and_report_a_task_done(client, staff_a, task_a):
    client.force_login(staff_a)
    url = reverse("task", args=[task_a.pk])
    assert (
        client.post(url, {"action": "extend", "new_deadline": "2026-03-31", "reason": "企业材料延迟"}).status_code
        == 302
    )
    request = ExtensionRequest.objects.get()
    assert (request.new_deadline, request.state) == (datetime.date(2026, 3, 31), ReviewState.SUBMITTED)
    again = client.post(url, {"action": "extend", "new_deadline": "2026-06-30", "reason": "x"})
    assert again.status_code == 200 and ExtensionRequest.objects.count() == 1
    refused = client.post(url, {"action": "close", "note": "已完成"})
    assert refused.status_code == 200 and "尚未完成" in str(refused.context["closure"].errors)
    progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(400))
    assert client.post(url, {"action": "close", "note": "已完成"}).status_code == 302
    assert ClosureRequest.objects.get().requested_by == staff_a


def test_another_departments_task_page_is_not_found(client, staff_a, task_b):
    client.force_login(staff_a)
    assert client.get(reverse("task", args=[task_b.pk])).status_code == 404
    assert (
        client.post(
            reverse("task", args=[task_b.pk]), {"action": "extend", "new_deadline": "2026-03-31", "reason": "x"}
        ).status_code
        == 404
    )
    assert not ExtensionRequest.objects.exists()
