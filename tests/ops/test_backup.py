"""Backup and restore on PostgreSQL: a populated database with evidence files is backed up, restored into an
empty database and media folder, and compared table by table and file by file."""

import hashlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from accounts.roles import ADMINISTRATOR
from ops.backup import archives, backup_create
from ops.models import Backup
from plans.models import Evidence
from tests.factories import DepartmentFactory, PlanFactory, ProgressUpdateFactory, TaskFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# One per pytest-xdist worker: a worker creating its empty database (DROP … WITH (FORCE)) would cut off another
# worker restoring into a database of the same name.
RESTORE_DB = f"kjj_backup_restore_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Every run is on PostgreSQL now (embedded by default); the marker stays to name what the tests need.
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="backups need PostgreSQL")


def table_checksums(cursor) -> dict[str, tuple[int, str]]:
    """Each table's row count and the MD5 of its rows in a fixed order."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    sums = {}
    for (table,) in cursor.fetchall():
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
        )
        sums[table] = tuple(cursor.fetchone())
    return sums


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def postgres_admin():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def populated(media):
    department = DepartmentFactory(name="高新技术科")
    owner = UserFactory(username="keyuan", departments=[department])
    plan = PlanFactory()
    for number in range(1, 6):
        task = TaskFactory(plan=plan, code=f"一.{number}", lead_department=department, owner=owner)
        update = ProgressUpdateFactory(task=task, reported_by=owner)
        content = f"第{number}项佐证材料 ".encode() * 200
        evidence = Evidence(update=update, original_name=f"佐证{number}.pdf", size=len(content))
        evidence.file.save(f"佐证{number}.pdf", ContentFile(content), save=True)
    assert len(file_hashes(media)) == 5


@pytest.fixture
def empty_database():
    with postgres_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {RESTORE_DB}")
    yield RESTORE_DB
    with postgres_admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")


def restore_url() -> str:
    settings = connection.settings_dict
    user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    if str(host).startswith("/"):  # the embedded server's socket folder
        return f"postgres://{user}@/{RESTORE_DB}?host={quote(str(host), safe='')}&port={port}"
    return f"postgres://{user}@{host}:{port}/{RESTORE_DB}"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_encrypted_backup_restores_every_row_and_every_file_into_an_empty_database(
    populated, media, tmp_path, empty_database
):
    with connection.cursor() as cursor:
        before = table_checksums(cursor)
    assert before["plans_evidence"][0] == 5 and before["ops_backup"][0] == 0  # the run is recorded after the dump
    files_before = file_hashes(media)
    key = Fernet.generate_key().decode()
    out = StringIO()
    with override_settings(BACKUP_ENCRYPTION_KEY=key):
        call_command("backup", "--out", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().strip())
    assert archive.parent == tmp_path / "backups" and archive.name.endswith(".tar.gz.enc")
    assert b"PGDMP" not in archive.read_bytes() and "佐证".encode() not in archive.read_bytes()

    restored_var = tmp_path / "restored"
    restored = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": restore_url(),
            "VAR_DIR": str(restored_var),
            "BACKUP_ENCRYPTION_KEY": key,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    assert "5 media files" in restored.stdout

    with psycopg.connect(restore_url()) as copy, copy.cursor() as cursor:
        after = table_checksums(cursor)
    assert after == before  # every table: the same rows, byte for byte
    assert file_hashes(restored_var / "media") == files_before


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_holds_tables(populated, tmp_path):
    archive = backup_create(out_dir=tmp_path).archive
    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables\): restore only into an empty database"):
        call_command("restore", str(archive))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_backups_keep_only_the_newest_copies_and_the_admin_names_the_last_success(media, tmp_path, client):
    import datetime

    start = datetime.datetime(2026, 3, 1, 2, 0, tzinfo=datetime.UTC)
    with override_settings(BACKUP_KEEP=2):
        for night in range(3):
            backup_create(out_dir=tmp_path, now=start + datetime.timedelta(days=night))
    kept = archives(tmp_path)
    assert [path.name for path in kept] == ["kjj-backup-20260303-100000.tar.gz", "kjj-backup-20260302-100000.tar.gz"]
    assert list(tmp_path.glob(".partial-*")) == []
    assert all(path.stat().st_mode & 0o077 == 0 for path in kept)  # readable by the site's user alone
    assert Backup.objects.filter(ok=True).count() == 3
    client.force_login(UserFactory(username="xitong", role=ADMINISTRATOR, is_superuser=True))
    page = client.get("/manage/ops/backup/")
    assert page.status_code == 200 and "kjj-backup-20260303-100000.tar.gz" in page.text


@pytest.mark.django_db
def test_a_backup_of_sqlite_is_refused_with_a_clear_reason_and_recorded(tmp_path, monkeypatch):
    # The product runs on PostgreSQL; a sqlite:// DATABASE_URL still loads (for migrate and dry runs).
    monkeypatch.setitem(connection.settings_dict, "ENGINE", "django.db.backends.sqlite3")
    with pytest.raises(CommandError, match="Backup and restore need PostgreSQL"):
        call_command("backup", "--out", str(tmp_path))
    assert Backup.objects.get().ok is False
    assert archives(tmp_path) == []
    from ops.tasks import backup

    with override_settings(BACKUP_DIR=tmp_path):
        assert backup()["ok"] is False  # the nightly task records and logs it; it does not crash the worker
    assert Backup.objects.filter(ok=False).count() == 2


@on_postgresql
@pytest.mark.django_db
def test_pg_dump_is_one_at_least_as_new_as_the_server_unless_a_folder_is_configured(tmp_path):
    from ops.backup import BackupError, _major_version, pg_binary

    chosen = pg_binary("pg_dump")
    assert _major_version(Path(chosen)) >= connection.pg_version // 10000
    with override_settings(BACKUP_PG_BIN_DIR=str(tmp_path)), pytest.raises(BackupError, match="BACKUP_PG_BIN_DIR"):
        pg_binary("pg_dump")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_archive_restored_with_the_wrong_key_is_refused_before_anything_is_written(
    populated, media, tmp_path, empty_database
):
    from ops.backup import BackupError, backup_restore

    with override_settings(BACKUP_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        archive = backup_create(out_dir=tmp_path).archive
    target = {**connection.settings_dict, "NAME": empty_database}
    with override_settings(BACKUP_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        with pytest.raises(BackupError, match="the key is wrong or the file is damaged"):
            backup_restore(archive=archive, database=target, media_root=tmp_path / "restored")
    with psycopg.connect(restore_url()) as copy:
        assert copy.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
    assert not (tmp_path / "restored").exists()


def test_a_socket_folder_given_in_the_database_url_reaches_pg_dump_and_the_password_stays_off_its_command_line():
    from ops.backup import _connection_args

    database = {
        "NAME": "kjj",
        "USER": "",
        "PASSWORD": "s3cret",
        "HOST": "",
        "PORT": "",
        "OPTIONS": {"host": "/tmp/pg-socket", "options": "-c jit=off", "pool": True},
    }
    args, env = _connection_args(database)
    assert args[0] == "--dbname" and "host=/tmp/pg-socket" in args[1] and "dbname=kjj" in args[1]
    assert "pool" not in args[1] and "s3cret" not in " ".join(args) and env["PGPASSWORD"] == "s3cret"
