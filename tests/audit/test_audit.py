"""安全审计: what is recorded (who, when, address, action, object), that nobody can change or delete it,
and that it is kept at least 180 days."""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MANAGER
from audit.models import Action, AuditEvent
from audit.services import audit_prune, audit_record
from plans.models import CalendarDay
from tracking import reviews
from tracking.services import progress_report

pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def login(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_logins_failed_logins_and_lockouts_are_recorded_with_the_address(client, staff_a):
    staff_a.set_password("Keyuan-2025a")
    staff_a.save()
    assert login(client, "keyuan_a", "Keyuan-2025a").status_code == 302
    (event,) = events(Action.LOGIN)
    assert (event.actor, event.actor_name, event.ip) == (staff_a, "keyuan_a", "10.1.2.3")
    client.logout()
    for _ in range(5):
        login(client, "keyuan_a", "wrong", ip="10.9.9.9")
    failed = events(Action.LOGIN_FAILED)
    assert len(failed) == 5 and {e.ip for e in failed} == {"10.9.9.9"} and failed[0].object_repr == "keyuan_a"
    assert events(Action.LOCKOUT)[0].object_repr == "keyuan_a"
    assert events(Action.LOGOUT)


def test_a_role_change_names_the_roles_before_and_after(client, administrator, staff_a):
    client.force_login(administrator)
    manager_group = staff_a.groups.model.objects.get(name=MANAGER)
    page = client.get(reverse("admin:accounts_user_change", args=[staff_a.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(groups=[manager_group.pk], date_joined_0="2025-01-01", date_joined_1="00:00:00")
    data.pop("date_joined", None)
    data.pop("last_login", None)
    answer = client.post(reverse("admin:accounts_user_change", args=[staff_a.pk]), data, REMOTE_ADDR="10.0.0.8")
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    (event,) = events(Action.ROLE_CHANGE)
    assert event.actor == administrator and event.ip == "10.0.0.8" and event.object_id == str(staff_a.pk)
    assert "科员" in event.detail and MANAGER in event.detail


def test_a_secret_change_names_the_field_and_never_the_value(client, administrator, department_a):
    client.force_login(administrator)
    url = reverse("admin:plans_department_change", args=[department_a.pk])
    data = {"name": department_a.name, "reporting_day": 25, "position": 0, "dingtalk_secret": "SECvalue-9999-xyz"}
    assert client.post(url, data).status_code == 302
    (event,) = events(Action.SECRET_CHANGE)
    assert event.detail == "dingtalk_secret" and event.object_repr == department_a.name
    assert not AuditEvent.objects.filter(detail__contains="SECvalue").exists()


def test_reviews_and_admin_deletions_are_recorded(client, administrator, staff_a, manager, task_a):
    update = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(10))
    reviews.progress_approve(update=update, reviewer=manager)
    (approval,) = events(Action.APPROVAL)
    assert approval.actor == manager and approval.object_type == "plans.progressupdate"
    day = CalendarDay.objects.create(date=datetime.date(2025, 10, 11), is_working_day=True, note="国庆调休")
    client.force_login(administrator)
    answer = client.post(reverse("admin:plans_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert answer.status_code == 302
    (deletion,) = events(Action.DELETION)
    assert deletion.object_type == "plans.calendarday" and "国庆调休" in deletion.object_repr


def test_exports_are_recorded(client, manager, task_a):
    client.force_login(manager)
    assert client.get(reverse("admin:plans_task_export") + "?format=csv").status_code == 200
    assert client.get(reverse("overdue") + "?format=xlsx").status_code == 200
    assert len(events(Action.EXPORT)) == 2


def test_the_log_is_read_only_for_every_role_administrators_and_superusers_included(client, administrator):
    event = audit_record(action=Action.LOGIN, actor=administrator)
    superuser = type(administrator).objects.create_superuser("root", password="Root-2025-xx")
    for user in (administrator, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
        change = reverse("admin:audit_auditevent_change", args=[event.pk])
        assert client.post(change, {"detail": "edited"}).status_code == 403
        assert (
            client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        )
        assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.detail == ""


def test_the_admin_filters_by_date_and_exports_what_it_shows(client, administrator):
    AuditEvent.objects.create(action=Action.EXPORT, at=timezone.now() - datetime.timedelta(days=40))
    audit_record(action=Action.EXPORT, actor=administrator, detail="=HYPERLINK()")
    client.force_login(administrator)
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    query = "?" + urlencode({"at__gte": since.isoformat(sep=" "), "action__exact": "export"})
    listing = client.get(reverse("admin:audit_auditevent_changelist") + query)
    assert listing.status_code == 200 and len(listing.context["cl"].result_list) == 1
    answer = client.get(reverse("admin:audit_auditevent_export") + query)
    rows = answer.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "'=HYPERLINK()" in rows[1]
    assert events(Action.EXPORT)[-1].detail == "rows=1"


def test_prune_deletes_only_events_older_than_the_retention_and_never_younger_than_180_days(settings):
    settings.AUDIT_RETENTION_DAYS = 30  # asks for too little: 180 days are kept anyway
    now = timezone.now()
    ages = {"kept_179": 179, "kept_100": 100, "gone_181": 181, "gone_400": 400}
    AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.LOGIN, at=now - datetime.timedelta(days=days), detail=n) for n, days in ages.items()]
    )
    assert audit_prune(now=now) == 2
    assert set(AuditEvent.objects.values_list("detail", flat=True)) == {"kept_179", "kept_100"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database guard is PostgreSQL's")
def test_postgresql_itself_refuses_to_change_or_delete_a_young_event(administrator):
    event = audit_record(action=Action.LOGIN, actor=administrator)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail="x")
    with pytest.raises(DatabaseError, match="younger row refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()


def test_the_nightly_prune_is_scheduled(settings):
    assert settings.DEFAULT_BEAT_SCHEDULE["audit-prune"]["task"] == "audit.prune"


def test_a_confirmed_sheet_import_is_recorded_and_its_preview_is_not(client, manager, plan, department_a):
    from tests.intake.test_sheet_admin import CONFIRM, confirm_fields, sheet, upload

    client.force_login(manager)
    preview = upload(client, plan, sheet([[1, "任务一", "400家以上", department_a.name, "", "2025-12-31"]]))
    assert preview.status_code == 200 and not events(Action.IMPORT)
    assert client.post(CONFIRM, confirm_fields(preview)).status_code == 302
    (event,) = events(Action.IMPORT)
    assert event.actor == manager and "new=1" in event.detail


def test_a_change_to_a_roles_permissions_is_recorded(client, administrator):
    from django.contrib.auth.models import Group, Permission

    superuser = type(administrator).objects.create_superuser("root", password="Root-2025-xx")
    client.force_login(superuser)
    group = Group.objects.get(name=MANAGER)
    kept = list(group.permissions.values_list("pk", flat=True))
    extra = Permission.objects.get(codename="delete_plan")
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert client.post(url, {"name": group.name, "permissions": [*kept, extra.pk]}).status_code == 302
    (event,) = events(Action.ROLE_CHANGE)
    assert event.detail.startswith("added delete_plan") and event.actor == superuser
