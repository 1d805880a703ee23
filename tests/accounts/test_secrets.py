"""Robot webhooks and signing secrets: encrypted at rest, write-only in the admin, never shown to any role."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.db.models import TextField, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.encryption import SecretUnreadable, mask
from plans.models import Department
from reminders.channels import DeliveryError
from reminders.models import Channel, Message
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOMKEY0secret0aaaa1111bbbb2222"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=DINGTOKEN0secret0cccc3333dddd4444"
SIGNING = "SEC0signing0secret0eeee5555ffff6666"
# What must never appear: each secret but its last four characters.
NEVER_SHOWN = ("WECOMKEY0secret0aaaa1111bbbb", "DINGTOKEN0secret0cccc3333dddd", "SEC0signing0secret0eeee5555ffff")


def stored(department: Department, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM plans_department WHERE id = %s", [department.pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def robots(department_a, department_b):
    for department in (department_a, department_b):
        department.wecom_webhook, department.dingtalk_webhook, department.dingtalk_secret = WECOM, DINGTALK, SIGNING
        department.save()
    return department_a


def test_webhooks_and_secrets_are_stored_as_fernet_tokens_and_read_back_plain(robots):
    for column in ("wecom_webhook", "dingtalk_webhook", "dingtalk_secret"):
        raw = stored(robots, column)
        assert raw.startswith("gAAAAA") and "secret0" not in raw
    again = Department.objects.get(pk=robots.pk)
    assert (again.wecom_webhook, again.dingtalk_webhook, again.dingtalk_secret) == (WECOM, DINGTALK, SIGNING)
    assert Department.objects.exclude(dingtalk_secret="").count() == 2


def test_the_data_migration_encrypts_values_written_before_it(department_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("plans.migrations.0007_department_robot_secrets_encrypted")
    Department.objects.filter(pk=department_a.pk).update(wecom_webhook=Value(WECOM, output_field=TextField()))
    assert stored(department_a, "wecom_webhook") == WECOM
    migration.encrypt_existing(apps, None)
    assert stored(department_a, "wecom_webhook").startswith("gAAAAA")
    assert Department.objects.get(pk=department_a.pk).wecom_webhook == WECOM
    migration.decrypt_existing(apps, None)
    assert stored(department_a, "wecom_webhook") == WECOM


def test_rotate_field_key_moves_every_secret_to_the_new_key(robots, department_b, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    robots.save()
    department_b.save()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_field_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Department.objects.get(pk=robots.pk).dingtalk_secret == SIGNING
    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(SecretUnreadable) as raised:
        Department.objects.get(pk=robots.pk)
    assert "secret0" not in str(raised.value)


def test_a_staff_member_sees_only_the_last_four_characters(client, robots, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("admin:plans_department_change", args=[robots.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert mask(DINGTALK) in body and "dddd4444" not in body.replace(mask(DINGTALK), "")
    assert all(secret not in body for secret in NEVER_SHOWN)


def test_a_manager_of_the_department_replaces_a_webhook_and_a_blank_keeps_the_others(client, robots, manager):
    robots.members.add(manager)
    client.force_login(manager)
    url = reverse("admin:plans_department_change", args=[robots.pk])
    page = client.get(url)
    assert page.status_code == 200 and all(secret not in page.content.decode() for secret in NEVER_SHOWN)
    answer = client.post(url, {"wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=NEW1"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    robots.refresh_from_db()
    assert robots.wecom_webhook.endswith("key=NEW1")
    assert (robots.dingtalk_webhook, robots.dingtalk_secret, robots.name) == (DINGTALK, SIGNING, "高新技术科")


def test_a_manager_clears_a_secret_with_the_tick(client, robots, manager):
    robots.members.add(manager)
    client.force_login(manager)
    url = reverse("admin:plans_department_change", args=[robots.pk])
    assert client.post(url, {"clear_secrets": ["dingtalk_secret"]}).status_code == 302
    robots.refresh_from_db()
    assert robots.dingtalk_secret == "" and robots.dingtalk_webhook == DINGTALK


def test_a_manager_of_another_department_and_staff_cannot_change_the_robots(client, robots, manager, staff_a):
    url = reverse("admin:plans_department_change", args=[robots.pk])
    for user in (manager, staff_a):
        client.force_login(user)
        assert client.post(url, {"wecom_webhook": "https://evil.example/x"}).status_code == 403
    robots.refresh_from_db()
    assert robots.wecom_webhook == WECOM


def test_an_administrator_changes_any_department_and_its_other_fields(client, robots, administrator):
    client.force_login(administrator)
    url = reverse("admin:plans_department_change", args=[robots.pk])
    answer = client.post(
        url, {"name": "高新技术科", "reporting_day": 20, "position": 0, "dingtalk_secret": "SECnew-value-0001"}
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    robots.refresh_from_db()
    assert (robots.reporting_day, robots.dingtalk_secret, robots.wecom_webhook) == (20, "SECnew-value-0001", WECOM)


def admin_urls(objects: dict) -> list[str]:
    """Every admin page without parameters, and every page of one object of each registered model."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        obj = objects.get(model) or model._default_manager.order_by("pk").first()
        for pattern in model_admin.urls:
            if not getattr(pattern, "name", None) or "delete" in pattern.name:
                continue
            for kwargs in ({}, {"object_id": obj.pk} if obj else None):
                if kwargs is None:
                    continue
                try:
                    urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
                except NoReverseMatch:
                    pass
    return sorted(set(urls))


def test_no_page_of_any_role_shows_a_robot_secret(client, robots, task_a, staff_a, manager, administrator):
    ProgressUpdateFactory(task=task_a, reported_by=staff_a)
    message = Message.objects.create(
        recipient=staff_a,
        channel=Channel.DINGTALK,
        address=DINGTALK,
        day=datetime.date(2025, 6, 9),
        not_before=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    robots.members.add(manager)
    site = [
        reverse("home"),
        reverse("overdue"),
        reverse("behind-pace"),
        reverse("due-soon"),
        reverse("dashboard"),
        reverse("task", args=[task_a.pk]),
        reverse("reports:list"),
        reverse("reminders:settings"),
        reverse("admin:plans_task_changelist") + "export/?format=0",
    ]
    pages = site + admin_urls({Department: robots, Message: message})
    seen = 0
    for user in (staff_a, manager, administrator):
        client.force_login(user)
        for url in pages:
            answer = client.get(url)
            if answer.status_code != 200:
                continue
            seen += 1
            body = b"".join(answer) if answer.streaming else answer.content
            text = body.decode(errors="replace")
            leaked = [secret for secret in NEVER_SHOWN if secret in text]
            assert not leaked, f"{user.username} sees a secret at {url}"
    assert seen > 60


def test_the_deploy_check_refuses_production_without_encryption_keys(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 64 + "-a-long-random-production-secret",
        ALLOWED_HOSTS="kjj.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        VAR_DIR=str(tmp_path),
    )
    env.pop("FIELD_ENCRYPTION_KEYS", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=Path(__file__).resolve().parent.parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "accounts.E001" in result.stderr + result.stdout


def test_the_outbox_keeps_a_reference_to_a_robot_never_its_webhook_and_sends_to_the_current_one(robots):
    from reminders.channels import _robot
    from reminders.owed import department_robots

    robots_found = department_robots()
    addresses = [address for _department, _channel, address in robots_found]
    assert len(robots_found) == 4 and all(address == f"department:{pk}" for pk, _channel, address in robots_found)
    assert not any("access_token" in address or "key=" in address for address in addresses)
    message = Message(recipient_id=None, channel=Channel.DINGTALK, address=f"department:{robots.pk}")
    assert _robot(message) == (DINGTALK, robots.dingtalk_secret)
    # A webhook changed after the message was queued: the message goes to the new one.
    robots.wecom_webhook = WECOM.replace("WECOMKEY0", "NEWKEY000")
    robots.save()
    wecom = Message(recipient_id=None, channel=Channel.WECOM, address=f"department:{robots.pk}")
    assert _robot(wecom)[0] == robots.wecom_webhook
    robots.dingtalk_webhook = ""
    robots.save()
    with pytest.raises(DeliveryError, match="no longer has this chat robot"):
        _robot(message)
