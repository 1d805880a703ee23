"""The managers' review queue on the site (待审核), its count in the top bar, and the admin's list."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import ReviewState
from tests.factories import TaskFactory
from tracking import reviews
from tracking.services import progress_report

pytestmark = pytest.mark.django_db
QUEUE = reverse("review-queue")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def waiting_set(plan, department, staff, n, start=0):
    """n tasks, each with a waiting report (with a photo), an extension and a closure request."""
    for i in range(start, start + n):
        task = TaskFactory(plan=plan, code=f"W{i}", lead_department=department, owner=staff)
        update = progress_report(
            task=task,
            reported_by=staff,
            period="2025-06",
            value=Decimal(400),
            evidence_files=[SimpleUploadedFile(f"现场{i}.png", PNG)],
        )
        reviews.extension_request(task=task, requested_by=staff, new_deadline=datetime.date(2026, 3, 31), reason="延迟")
        reviews.closure_request(task=task, requested_by=staff, update=update, note="已完成")


def messages_of(response) -> list[str]:
    """The messages the person saw (pages speak Chinese, zh-hans being the site's language)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_lists_what_waits_oldest_first_with_figures_and_thumbnails(
    client, manager, staff_a, plan, department_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    approved = TaskFactory(plan=plan, code="A1", lead_department=department_a, owner=staff_a)
    progress_report(task=approved, reported_by=manager, period="2025-05", value=Decimal(66))
    progress_report(task=approved, reported_by=staff_a, period="2025-06", value=Decimal(80))
    waiting_set(plan, department_a, staff_a, 1)
    client.force_login(manager)
    response = client.get(QUEUE)
    items = response.context["items"]
    assert [entry.kind for entry in items] == ["update", "update", "extension", "closure"]
    assert [entry.sent_at for entry in items] == sorted(entry.sent_at for entry in items)
    page = response.content.decode()
    assert "80家" in page and "66家" in page and "66.0000" not in page  # against the last approved figure
    evidence = items[1].item.evidence.get()
    assert reverse("evidence-image", args=[evidence.pk]) in page
    image = client.get(reverse("evidence-image", args=[evidence.pk]))
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert 'class="review-count"' in page and ">4<" in page  # the top bar's count


def test_only_images_are_ever_shown_inline(client, manager, staff_a, task_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = progress_report(
        task=task_a,
        reported_by=staff_a,
        period="2025-06",
        value=Decimal(1),
        evidence_files=[SimpleUploadedFile("evil.txt", b"<script>alert(1)</script>")],
    )
    client.force_login(manager)
    assert client.get(reverse("evidence-image", args=[update.evidence.get().pk])).status_code == 404


def test_staff_have_no_queue(client, staff_a):
    client.force_login(staff_a)
    assert client.get(QUEUE).status_code == 403
    assert 'class="review-count"' not in client.get(reverse("home")).content.decode()


def test_the_queue_costs_the_same_queries_for_few_or_many_items(
    client, manager, staff_a, plan, department_a, settings, tmp_path, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    waiting_set(plan, department_a, staff_a, 1)
    client.force_login(manager)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    waiting_set(plan, department_a, staff_a, 6, start=1)
    # Session, user, roles; reports, their evidence; extensions; closures, their reports' evidence;
    # the queue's total; the top bar's count.
    with django_assert_num_queries(len(few)):
        response = client.get(QUEUE)
    assert len(response.context["items"]) == 21 and len(few) == 10


def test_approving_several_and_returning_one_each_say_what_they_did(client, manager, staff_a, plan, department_a):
    tasks = [TaskFactory(plan=plan, code=f"R{i}", lead_department=department_a, owner=staff_a) for i in range(3)]
    updates = [progress_report(task=task, reported_by=staff_a, period="2025-06", value=Decimal(10)) for task in tasks]
    client.force_login(manager)
    keys = [f"update-{u.pk}" for u in updates[:2]]
    approved = client.post(QUEUE, {"decision": "approve", "items": keys}, follow=True)
    assert messages_of(approved) == ["已通过 2 项。"]
    refused = client.post(
        QUEUE, {"decision": "return", "items": [f"update-{updates[2].pk}"], "reason": " "}, follow=True
    )
    assert "请填写退回原因" in " ".join(messages_of(refused))
    assert '<li class="error">' in refused.content.decode()  # shown as a refusal, not in a success's colours
    returned = client.post(
        QUEUE, {"decision": "return", "items": [f"update-{updates[2].pk}"], "reason": "请附名单"}, follow=True
    )
    assert messages_of(returned) == ["已退回 1 项。"]
    again = client.post(QUEUE, {"decision": "approve", "items": keys}, follow=True)
    assert messages_of(again) == ["已通过 0 项。 另有 2 项此前已由他人审核。"]
    states = [u.state for u in type(updates[0]).objects.order_by("pk")]
    assert states == [ReviewState.APPROVED, ReviewState.APPROVED, ReviewState.RETURNED]


def test_the_admin_list_opens_on_waiting_reports_with_figures_and_evidence_links(
    client, manager, staff_a, task_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    progress_report(task=task_a, reported_by=manager, period="2025-05", value=Decimal(50))
    waiting = progress_report(
        task=task_a,
        reported_by=staff_a,
        period="2025-06",
        value=Decimal(66),
        evidence_files=[SimpleUploadedFile("evil.pdf", b"%PDF x"), SimpleUploadedFile("evil2.txt", b"x")],
    )
    client.force_login(manager)
    url = reverse("admin:plans_progressupdate_changelist")
    listing = client.get(url)
    assert [u.pk for u in listing.context["cl"].result_list] == [waiting.pk]
    assert "66家" in listing.content.decode() and "66.0000" not in listing.content.decode()
    assert len(client.get(url, {"review": "all"}).context["cl"].result_list) == 2
    detail = client.get(reverse("admin:plans_progressupdate_change", args=[waiting.pk])).content.decode()
    assert "&lt;br&gt;" not in detail and detail.count(">evil") == 2 and "<br>" in detail
    done = client.post(url, {"action": "approve_selected", helpers.ACTION_CHECKBOX_NAME: [waiting.pk]}, follow=True)
    assert messages_of(done) == ["已通过 1 项。"]


def test_a_waiting_report_is_approved_or_returned_from_its_admin_page(client, manager, staff_a, task_a):
    waiting = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(66))
    client.force_login(manager)
    url = reverse("admin:plans_progressupdate_change", args=[waiting.pk])
    page = client.get(url).content.decode()
    assert 'id="review-form"' in page and "66家" in page and "66.0000" not in page
    returned = client.post(
        QUEUE, {"items": f"update-{waiting.pk}", "decision": "return", "reason": "缺名单", "next": url}, follow=True
    )
    assert returned.redirect_chain[-1][0] == url and messages_of(returned) == ["已退回 1 项。"]
    waiting.refresh_from_db()
    assert (waiting.state, waiting.review_note) == (ReviewState.RETURNED, "缺名单")
    assert 'id="review-form"' not in client.get(url).content.decode()  # reviewed: no buttons
    away = client.post(QUEUE, {"items": f"update-{waiting.pk}", "decision": "approve", "next": "https://evil.example/"})
    assert away.url == QUEUE


def test_the_admin_asks_the_same_confirmation_for_an_implausible_figure(client, manager, task_a):
    client.force_login(manager)
    url = reverse("admin:plans_progressupdate_add")
    data = {"task": task_a.pk, "period": "2025-06", "value": "100000"}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "confirm" in refused.context["adminform"].form.errors
    assert client.post(url, {**data, "confirm": "on", "correction_note": "全市口径，已核实"}).status_code == 302
    assert task_a.updates.get().value == Decimal(100000)
