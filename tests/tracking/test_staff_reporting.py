"""Staff reporting on the task page: the period chosen, plain figures, odd figures confirmed, waiting
reports withdrawn or corrected, returned items shown with their reason, and one rule for a returned
report on the page and in a ledger import."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from intake.progress_import import progress_import_sheet, read_progress_rows
from intake.sheets.reading import read_rows
from plans.models import ProgressUpdate, ReviewState
from reminders.delivery import deliver_due
from tests.factories import TaskFactory
from tracking import reviews
from tracking.forms import ReportForm
from tracking.models import ClosureRequest, ExtensionRequest
from tracking.services import progress_report, progress_withdraw

pytestmark = pytest.mark.django_db
JULY = datetime.date(2025, 7, 10)


@pytest.fixture(autouse=True)
def july_2025():
    with time_machine.travel(datetime.datetime(2025, 7, 10, 2, tzinfo=datetime.UTC), tick=False):
        yield


def post_report(client, task, **data):
    return client.post(reverse("task", args=[task.pk]), {"action": "report", "period": "2025-07", **data})


def ledger(rows) -> list:
    book = openpyxl.Workbook()
    book.active.append(["编号", "填报期间", "实际完成值", "完成百分比", "进展情况", "更正说明"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return read_progress_rows(read_rows(buffer.getvalue(), "l.xlsx"))


def test_the_period_is_chosen_from_those_begun_and_starts_on_the_one_owed_now(task_a, plan):
    form = ReportForm(task=task_a, today=JULY, instance=ProgressUpdate(task=task_a))
    choices = [value for value, _label in form.fields["period"].choices]
    assert choices[0] == "2025-07" and form.fields["period"].initial == "2025-07"
    assert "2025-08" not in choices and "2025-01" in choices  # none in the future; back to the task's start
    quarterly = TaskFactory(plan=plan, code="二.1", reporting_cycle="quarterly")
    form = ReportForm(task=quarterly, today=JULY, instance=ProgressUpdate(task=quarterly))
    assert [v for v, _l in form.fields["period"].choices][:2] == ["2025-Q3", "2025-Q2"]
    assert str(form.fields["period"].choices[0][1]) == "Q3 2025"


@pytest.mark.parametrize("typed", ["1e5", "1,000", "十", "12.5.1", "NaN", "Infinity"])
def test_a_figure_that_is_not_a_plain_decimal_is_refused(client, staff_a, task_a, typed):
    client.force_login(staff_a)
    response = post_report(client, task_a, value=typed)
    assert response.status_code == 200 and "不是有效数字" in str(response.context["report"].errors["value"])
    assert not task_a.updates.exists()


def test_a_future_period_is_refused_by_the_form_and_by_the_service(client, staff_a, task_a):
    client.force_login(staff_a)
    assert post_report(client, task_a, period="2030-01", value="10").status_code == 200
    with translation.override("en"), pytest.raises(ValidationError, match="has not begun"):
        progress_report(task=task_a, reported_by=staff_a, period="2025-08", value=Decimal(10))
    assert not task_a.updates.exists()


def test_a_figure_over_ten_times_the_target_needs_a_confirmation_and_a_reason(client, staff_a, task_a):
    client.force_login(staff_a)
    first = post_report(client, task_a, value="100000")
    assert first.status_code == 200 and "超过目标值（400家）的10倍" in str(first.context["report"].errors)
    assert 'name="confirm"' in first.content.decode()  # the tick box appears only now
    assert 'name="confirm"' not in client.get(reverse("task", args=[task_a.pk])).content.decode()
    ticked_only = post_report(client, task_a, value="100000", confirm="on")
    assert ticked_only.status_code == 200 and not task_a.updates.exists()
    sent = post_report(client, task_a, value="100000", confirm="on", correction_note="含全市口径，已核实")
    assert sent.status_code == 302 and task_a.updates.get().value == Decimal(100000)


def test_a_falling_figure_is_compared_with_the_last_approved_not_a_waiting_one(client, staff_a, manager, task_a):
    approved = progress_report(task=task_a, reported_by=staff_a, period="2025-05", value=Decimal(100))
    reviews.progress_approve(update=approved, reviewer=manager)
    progress_report(
        task=task_a,
        reported_by=staff_a,
        period="2025-06",
        value=Decimal(100000),
        confirmed=True,
        correction_note="核实",
    )  # a slip, waiting for review
    client.force_login(staff_a)
    assert post_report(client, task_a, value="150").status_code == 302  # 150 ≥ 100 approved: no note
    falling = post_report(client, task_a, value="90")
    assert "从100（上次审核通过的数值）降到90" in str(falling.context["report"].errors["correction_note"])


def test_a_returned_report_means_the_same_on_the_task_page_and_in_a_ledger(client, staff_a, manager, task_a, plan):
    """Issue 11: after a returned 500, a 300 is accepted on the page and by the ledger import alike."""
    returned = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(500))
    reviews.progress_return(update=returned, reviewer=manager, reason="重复统计")
    result = progress_import_sheet(rows=ledger([["一.1", "2025-07", 300, "", "", ""]]), plan=plan, user=staff_a)
    assert result.totals["error"] == 0 and result.totals["new"] == 1  # the dry run accepts it
    client.force_login(staff_a)
    assert post_report(client, task_a, value="300").status_code == 302
    # The returned figures are not "on record": the ledger may send them again.
    again = progress_import_sheet(rows=ledger([["一.1", "2025-06", 500, "", "", ""]]), plan=plan, user=staff_a)
    assert again.totals["new"] == 1


def test_the_sender_withdraws_or_corrects_a_report_until_it_is_reviewed(
    client, staff_a, manager, task_a, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("task", args=[task_a.pk])
    client.force_login(staff_a)
    post_report(client, task_a, value="120", evidence_files=[SimpleUploadedFile("名单.pdf", b"%PDF-1.4 x")])
    update = task_a.updates.get()
    form = client.get(url, {"correct": update.pk}).context["report"]
    assert form.initial["value"] == "120"  # not 120.0000
    corrected = client.post(url, {"action": "correct", "update": update.pk, "period": "2025-07", "value": "130"})
    assert corrected.status_code == 302
    update.refresh_from_db()
    assert (update.value, update.state, update.evidence.count()) == (Decimal(130), ReviewState.SUBMITTED, 1)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the withdrawal commits
        assert client.post(url, {"action": "withdraw", "update": update.pk}).status_code == 302
    assert not task_a.updates.exists() and not any(tmp_path.rglob("*.pdf"))
    # Once reviewed, neither.
    reviewed = progress_report(task=task_a, reported_by=staff_a, period="2025-07", value=Decimal(140))
    reviews.progress_approve(update=reviewed, reviewer=manager)
    client.post(url, {"action": "withdraw", "update": reviewed.pk})
    with translation.override("en"), pytest.raises(ValidationError, match="already been reviewed"):
        progress_withdraw(update=reviewed, user=staff_a)
    assert task_a.updates.get().state == ReviewState.APPROVED


def test_a_returned_report_shows_its_reason_to_the_sender_with_a_way_to_send_it_again(
    client, staff_a, manager, task_a, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://duban.kjj.example.gov.cn"
    staff_a.email = "keyuan@example.gov.cn"
    staff_a.save()
    update = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(210))
    with django_capture_on_commit_callbacks(execute=True):
        reviews.progress_return(update=update, reviewer=manager, reason="请附认定名单")
    assert deliver_due()["sent"] == 1  # the notice goes through the outbox, like every mail
    assert f"https://duban.kjj.example.gov.cn/tasks/{task_a.pk}/" in mail.outbox[0].body
    client.force_login(staff_a)
    page = client.get(reverse("task", args=[task_a.pk])).content.decode()
    assert "请附认定名单" in page and f"?again={update.pk}" in page
    again = client.get(reverse("task", args=[task_a.pk]), {"again": update.pk}).context["report"]
    assert (again.initial["value"], again.initial["period"]) == ("210", "2025-06")
    post_report(client, task_a, period="2025-06", value="212")
    page = client.get(reverse("task", args=[task_a.pk])).content.decode()
    assert f"?again={update.pk}" not in page  # sent again: the notice goes


def test_an_extension_stops_at_the_bureaus_limit_and_needs_a_reason(staff_a, task_a, settings):
    with pytest.raises(ValidationError, match="no later than 2026-12-31"):
        reviews.extension_request(
            task=task_a, requested_by=staff_a, new_deadline=datetime.date(9999, 12, 31), reason="企业材料延迟"
        )
    with pytest.raises(ValidationError, match="reason"):
        reviews.extension_request(task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 3, 31), reason="")
    settings.EXTENSION_LIMIT_YEARS = 2
    reviews.extension_request(
        task=task_a, requested_by=staff_a, new_deadline=datetime.date(2027, 6, 30), reason="企业材料延迟"
    )
    assert ExtensionRequest.objects.get().new_deadline == datetime.date(2027, 6, 30)


def test_a_closure_needs_a_note_and_evidence_when_the_target_is_not_reached(staff_a, task_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    low = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(40))  # 10% of 400
    with pytest.raises(ValidationError) as caught:
        reviews.closure_request(task=task_a, requested_by=staff_a, update=low, note="")
    assert set(caught.value.message_dict) == {"note", "update"}
    with_evidence = progress_report(
        task=task_a,
        reported_by=staff_a,
        period="2025-07",
        value=Decimal(45),
        evidence_files=[SimpleUploadedFile("情况说明.pdf", b"%PDF-1.4 x")],
    )
    reviews.closure_request(task=task_a, requested_by=staff_a, update=with_evidence, note="政策调整，目标不再适用")
    assert ClosureRequest.objects.get().state == ReviewState.SUBMITTED


def test_a_returned_extension_shows_its_reason_and_opens_its_form_again(client, staff_a, manager, task_a):
    request = reviews.extension_request(
        task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 3, 31), reason="企业材料延迟"
    )
    reviews.extension_return(request=request, reviewer=manager, reason="延期理由不充分")
    client.force_login(staff_a)
    page = client.get(reverse("task", args=[task_a.pk])).content.decode()
    assert "延期理由不充分" in page and '<details class="panel" id="extension" open>' in page
    assert '<details class="panel" id="closure">' in page  # the other form stays folded


def test_the_task_page_costs_the_same_queries_for_few_or_many_reports(
    client, staff_a, manager, task_a, django_assert_num_queries
):
    periods = iter(f"2024-{month:02d}" for month in range(1, 13))  # one report waits per period

    def add(n):
        for i in range(n):
            update = progress_report(task=task_a, reported_by=staff_a, period=next(periods), value=Decimal(10 + i))
            if i % 2:
                reviews.progress_return(update=update, reviewer=manager, reason="核实")

    add(2)
    client.force_login(staff_a)
    url = reverse("task", args=[task_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_correcting_a_report_reviewed_meanwhile_is_refused_not_sent_as_a_new_one(client, staff_a, manager, task_a):
    update = progress_report(task=task_a, reported_by=staff_a, period="2025-07", value=Decimal(20))
    client.force_login(staff_a)
    reviews.progress_approve(update=update, reviewer=manager)  # while the correction form was open
    url = reverse("task", args=[task_a.pk])
    response = client.post(url, {"action": "correct", "update": update.pk, "period": "2025-07", "value": "25"})
    assert response.status_code == 302 and task_a.updates.count() == 1
    assert "已审核" in client.get(url).content.decode()
