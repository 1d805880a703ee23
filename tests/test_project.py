"""Project-wide guarantees: migrations, deploy settings, language, roles, demo data."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, MANAGER, ROLE_PERMISSIONS, STAFF

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 64 + "-a-long-random-production-secret",
        FIELD_ENCRYPTION_KEYS="0Bx2kfb0Xw2m3fZ3qH8Q9wCw6Yk1mX7s9rTzP3uVb1E=",
        ALLOWED_HOSTS="kjj.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        VAR_DIR=str(tmp_path),
    )
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this same session
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="x",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_a_database_of_its_own(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="x",
        VAR_DIR=str(tmp_path),
    )
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DATABASE_URL is required in production" in result.stderr
    assert not (tmp_path / "postgres").exists()  # no embedded server was started


@pytest.mark.django_db
def test_the_interface_is_chinese_first_with_english_selectable(client, manager, task_a):
    client.force_login(manager)
    page = client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert "任务" in page and "牵头科室" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert "lead department" in page.lower()


def test_the_compiled_chinese_catalogue_is_in_the_repository():
    from django.utils import translation

    assert (BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists()
    with translation.override("zh-hans"):
        assert str(translation.gettext("Overdue")) == "逾期"


def test_time_is_shanghai_time(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.django_db
def test_migrate_creates_the_three_roles_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {STAFF, MANAGER, ADMINISTRATOR}
    staff = set(Group.objects.get(name=STAFF).permissions.values_list("codename", flat=True))
    assert staff == {
        f"{action}_{model}" for (_, model), actions in ROLE_PERMISSIONS[STAFF].items() for action in actions
    }
    assert "add_plan" not in staff and "change_task" in staff


@pytest.mark.django_db
def test_setup_roles_puts_back_a_permission_removed_by_hand():
    group = Group.objects.get(name=STAFF)
    group.permissions.clear()
    call_command("setup_roles", stdout=StringIO())
    assert group.permissions.filter(codename="add_progressupdate").exists()


@pytest.mark.django_db
def test_the_demo_loads_once_and_a_second_run_changes_nothing(client):
    from plans.models import Plan, ProgressUpdate, Task

    call_command("setup_demo", stdout=StringIO())
    counts = (Plan.objects.count(), Task.objects.count(), ProgressUpdate.objects.count())
    assert counts[0] == 5 and counts[1] > 100 and counts[2] > 100
    assert not Task.objects.exclude(kind="section").filter(lead_department__isnull=True).exists()
    assert set(Plan.objects.values_list("state", flat=True)) == {"active"}
    call_command("setup_demo", stdout=StringIO())
    assert (Plan.objects.count(), Task.objects.count(), ProgressUpdate.objects.count()) == counts
    # The documented demo logins work.
    for username in ("admin", "juzhang", "kezhang", "keyuan1", "keyuan2"):
        assert client.login(username=username, password="demo12345"), username
