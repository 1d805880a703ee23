"""Managers review what staff send up: reports, extension requests, closure requests."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from config.celery import app
from plans.models import ReviewState
from reminders.delivery import deliver_due
from reminders.models import Message
from tests.factories import TaskFactory
from tracking import reviews
from tracking.models import ExtensionRequest
from tracking.services import progress_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks_here():
    """Celery tasks run in this process when their transaction commits (the worker tests use a real worker)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def report(task, user, value=200):
    return progress_report(task=task, reported_by=user, period="2025-06", value=Decimal(value))


def test_staff_reports_wait_for_review_and_a_managers_own_report_does_not(staff_a, manager, task_a):
    assert report(task_a, staff_a).state == ReviewState.SUBMITTED
    own = report(task_a, manager, 250)
    assert (own.state, own.reviewed_by) == (ReviewState.APPROVED, manager)


def test_only_managers_review_and_only_once(staff_a, manager, task_a):
    update = report(task_a, staff_a)
    with pytest.raises(PermissionDenied):
        reviews.progress_approve(update=update, reviewer=staff_a)
    reviews.progress_approve(update=update, reviewer=manager)
    with pytest.raises(ValidationError, match="already been reviewed"):
        reviews.progress_return(update=update, reviewer=manager, reason="数字有误")
    update.refresh_from_db()
    assert update.state == ReviewState.APPROVED


@time_machine.travel(datetime.datetime(2025, 6, 16, 10, tzinfo=datetime.UTC), tick=False)  # a Monday morning
def test_returning_needs_a_reason_and_tells_the_reporter_through_the_outbox(staff_a, manager, task_a):
    staff_a.email = "keyuan@example.gov.cn"
    staff_a.save()
    update = report(task_a, staff_a)
    with pytest.raises(ValidationError):
        reviews.progress_return(update=update, reviewer=manager, reason="  ")
    reviews.progress_return(update=update, reviewer=manager, reason="请附认定名单")
    queued = Message.objects.get()
    assert (queued.recipient, queued.state, queued.notice) == (
        staff_a,
        Message.State.PENDING,
        f"returned:plans.progressupdate:{update.pk}",
    )
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0, "held": 0, "unconfirmed": 0}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["keyuan@example.gov.cn"] and "退回" in message.subject and "请附认定名单" in message.body
    assert f"{settings.SITE_URL.rstrip('/')}/tasks/{task_a.pk}/" in message.body


def test_a_returned_report_does_not_count_and_the_next_report_may_be_lower(staff_a, manager, task_a):
    wrong = report(task_a, staff_a, 300)
    reviews.progress_return(update=wrong, reviewer=manager, reason="重复统计")
    corrected = report(task_a, staff_a, 250)  # lower than the returned figure: no correction note needed
    assert corrected.state == ReviewState.SUBMITTED


def test_an_extension_keeps_the_old_deadline_until_approved(staff_a, manager, task_a):
    request = reviews.extension_request(
        task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 3, 31), reason="企业申报延期"
    )
    task_a.refresh_from_db()
    assert task_a.deadline == datetime.date(2025, 12, 31)
    reviews.extension_approve(request=request, reviewer=manager)
    task_a.refresh_from_db()
    assert (task_a.deadline, task_a.original_deadline) == (datetime.date(2026, 3, 31), datetime.date(2025, 12, 31))


def test_extension_requests_are_checked(staff_a, staff_b, task_a):
    with pytest.raises(ValidationError, match="after the current one"):
        reviews.extension_request(
            task=task_a, requested_by=staff_a, new_deadline=datetime.date(2025, 6, 30), reason="x"
        )
    with pytest.raises(PermissionDenied):
        reviews.extension_request(
            task=task_a, requested_by=staff_b, new_deadline=datetime.date(2026, 6, 30), reason="x"
        )
    reviews.extension_request(task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 6, 30), reason="x")
    with pytest.raises(ValidationError, match="already has an extension request"):
        reviews.extension_request(
            task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 9, 30), reason="y"
        )


def test_the_database_allows_one_open_extension_per_task(staff_a, task_a):
    ExtensionRequest.objects.create(
        task=task_a,
        requested_by=staff_a,
        current_deadline=task_a.deadline,
        new_deadline=datetime.date(2026, 1, 31),
        reason="a",
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        ExtensionRequest.objects.create(
            task=task_a,
            requested_by=staff_a,
            current_deadline=task_a.deadline,
            new_deadline=datetime.date(2026, 2, 28),
            reason="b",
        )


def test_closing_a_milestone_approves_its_final_report_and_marks_it_done(staff_a, manager, plan, department_a):
    task = TaskFactory(
        plan=plan,
        code="二.1",
        milestone=True,
        lead_department=department_a,
        owner=staff_a,
    )
    final = progress_report(task=task, reported_by=staff_a, period="2025-09", percent=Decimal(100))
    request = reviews.closure_request(task=task, requested_by=staff_a, update=final, note="办法已印发")
    reviews.closure_approve(request=request, reviewer=manager, on=datetime.date(2025, 9, 30))
    task.refresh_from_db()
    final.refresh_from_db()
    assert task.completed_on == datetime.date(2025, 9, 30) and final.state == ReviewState.APPROVED
    with pytest.raises(ValidationError, match="already closed"):
        reviews.closure_request(task=task, requested_by=staff_a)


def test_a_returned_closure_leaves_the_task_open(staff_a, manager, task_a):
    final = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(400))
    request = reviews.closure_request(task=task_a, requested_by=staff_a, update=final, note="完成")
    reviews.closure_return(request=request, reviewer=manager, reason="缺佐证材料")
    task_a.refresh_from_db()
    assert task_a.completed_on is None
    reviews.closure_request(task=task_a, requested_by=staff_a, update=final, note="补充材料后再次申请")  # allowed again


def test_the_task_keeps_a_true_copy_of_its_latest_approved_figures(staff_a, manager, task_a, task_b, staff_b):
    """Lists colour tasks from this copy; every way an update gets approved must keep it true."""
    from django.db.models import OuterRef, Subquery

    from plans.models import ProgressUpdate, Task

    first = report(task_a, staff_a, 100)
    assert Task.objects.get(pk=task_a.pk).reported_value is None  # waiting: not counted
    reviews.progress_approve(update=first, reviewer=manager)
    report(task_a, manager, 150)  # a manager's own report: approved at once
    wrong = report(task_b, staff_b, 90)
    reviews.progress_return(update=wrong, reviewer=manager, reason="重报")
    approved = ProgressUpdate.objects.filter(task=OuterRef("pk"), state="approved").order_by("-reported_at", "-pk")
    for task in Task.objects.annotate(truth=Subquery(approved.values("value")[:1])):
        assert task.reported_value == task.truth, task.code
    assert Task.objects.get(pk=task_a.pk).reported_value == 150
