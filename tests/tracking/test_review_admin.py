"""The review queue and the request forms in the admin."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from plans.models import ProgressUpdate, ReviewState
from tracking.models import ClosureRequest, ExtensionRequest
from tracking.services import progress_report

pytestmark = pytest.mark.django_db
UPDATES = reverse("admin:plans_progressupdate_changelist")
EXTENSIONS = reverse("admin:tracking_extensionrequest_changelist")


def submitted(task, user, value, period="2025-06"):
    return progress_report(task=task, reported_by=user, period=period, value=Decimal(value))


def test_a_manager_approves_the_waiting_reports_from_the_queue(client, manager, staff_a, task_a):
    first, second = submitted(task_a, staff_a, 100, "2025-05"), submitted(task_a, staff_a, 150)
    client.force_login(manager)
    queue = client.get(UPDATES, {"state__exact": "submitted"})
    assert {u.pk for u in queue.context["cl"].result_list} == {first.pk, second.pk}
    client.post(UPDATES, {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == {ReviewState.APPROVED}


def test_returning_asks_for_the_reason_first(client, manager, staff_a, task_a):
    update = submitted(task_a, staff_a, 100)
    client.force_login(manager)
    ask = client.post(UPDATES, {"action": "return_selected", helpers.ACTION_CHECKBOX_NAME: [update.pk]})
    assert ask.status_code == 200 and 'name="reason"' in ask.content.decode()
    update.refresh_from_db()
    assert update.state == ReviewState.SUBMITTED
    client.post(
        UPDATES,
        {
            "action": "return_selected",
            helpers.ACTION_CHECKBOX_NAME: [update.pk],
            "confirm": "yes",
            "reason": "请补充名单",
        },
    )
    update.refresh_from_db()
    assert (update.state, update.review_note, update.reviewed_by) == (ReviewState.RETURNED, "请补充名单", manager)


def test_staff_have_no_review_actions(client, staff_a, task_a):
    update = submitted(task_a, staff_a, 100)
    client.force_login(staff_a)
    page = client.get(UPDATES)
    assert "approve_selected" not in page.content.decode()
    client.post(UPDATES, {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [update.pk]})
    update.refresh_from_db()
    assert update.state == ReviewState.SUBMITTED


def test_staff_ask_for_an_extension_and_a_manager_approves_it(client, staff_a, manager, task_a):
    client.force_login(staff_a)
    bad = client.post(
        reverse("admin:tracking_extensionrequest_add"), {"task": task_a.pk, "new_deadline": "2025-06-30", "reason": "x"}
    )
    assert bad.status_code == 200 and "new_deadline" in bad.context["adminform"].form.errors
    good = client.post(
        reverse("admin:tracking_extensionrequest_add"),
        {"task": task_a.pk, "new_deadline": "2026-03-31", "reason": "企业申报推迟"},
    )
    assert good.status_code == 302
    request = ExtensionRequest.objects.get()
    assert (request.requested_by, request.current_deadline) == (staff_a, datetime.date(2025, 12, 31))
    client.force_login(manager)
    client.post(EXTENSIONS, {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [request.pk]})
    task_a.refresh_from_db()
    assert task_a.deadline == datetime.date(2026, 3, 31)


def test_staff_cannot_ask_about_another_departments_task(client, staff_b, task_a):
    client.force_login(staff_b)
    response = client.post(
        reverse("admin:tracking_extensionrequest_add"), {"task": task_a.pk, "new_deadline": "2026-03-31", "reason": "x"}
    )
    assert response.status_code == 200 and not ExtensionRequest.objects.exists()
    assert "task" in response.context["adminform"].form.errors


def test_a_closure_request_through_the_admin_closes_the_task_on_approval(client, staff_a, manager, task_a):
    final = submitted(task_a, staff_a, 400)
    client.force_login(staff_a)
    assert (
        client.post(
            reverse("admin:tracking_closurerequest_add"), {"task": task_a.pk, "update": final.pk, "note": "全部完成"}
        ).status_code
        == 302
    )
    client.force_login(manager)
    closure = ClosureRequest.objects.get()
    client.post(
        reverse("admin:tracking_closurerequest_changelist"),
        {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [closure.pk]},
    )
    task_a.refresh_from_db()
    assert task_a.completed_on is not None


def test_the_task_list_shows_the_waiting_figure_beside_the_approved_one(client, manager, staff_a, task_a):
    approved = submitted(task_a, staff_a, 100)
    from tracking.reviews import progress_approve

    progress_approve(update=approved, reviewer=manager)
    submitted(task_a, staff_a, 180)
    client.force_login(manager)
    page = client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert "100家" in page and "180家" in page


def test_a_bookmark_of_the_old_progress_admin_lands_on_its_new_page(client, manager):
    """Progress updates moved from tracking to plans; a manager's bookmark of the review list still works."""
    client.force_login(manager)
    response = client.get("/manage/tracking/progressupdate/?review=submitted")
    assert response.status_code == 301
    assert response["Location"] == "/manage/plans/progressupdate/?review=submitted"
    assert client.get(response["Location"]).status_code == 200
