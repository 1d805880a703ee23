"""Start a real Celery worker in a subprocess, on the broker and database the tests use."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    """The test database as a URL, so that the worker writes where the test reads."""
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    auth = f"{user}:{settings['PASSWORD']}" if settings.get("PASSWORD") else user
    host = settings.get("HOST") or "127.0.0.1"
    if host.startswith("/"):  # the embedded server's unix socket folder
        return f"postgres://{auth}@/{settings['NAME']}?host={host}&port={settings.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def new_queue_name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@contextmanager
def running_worker(*, queue: str | None = None, extra_env: dict[str, str] | None = None, ready_timeout: float = 60):
    """Yield the name of a private queue served by a freshly started worker; stop it afterwards."""
    with worker_process(queue=queue, extra_env=extra_env, ready_timeout=ready_timeout) as (queue, _process):
        yield queue


@contextmanager
def worker_process(*, queue: str | None = None, extra_env: dict[str, str] | None = None, ready_timeout: float = 60):
    """Like ``running_worker``, yielding (queue, process) so that a test can SIGKILL the worker."""
    with worker_processes(1, queue=queue, extra_env=extra_env, ready_timeout=ready_timeout) as (queue, processes):
        yield queue, processes[0]


@contextmanager
def worker_processes(
    count: int, *, queue: str | None = None, extra_env: dict[str, str] | None = None, ready_timeout: float = 60
):
    """Yield (queue, processes): ``count`` workers on one queue, started together (each takes seconds to
    import the project) and all ready."""
    queue = queue or new_queue_name()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=_database_url())
    env.update(extra_env or {})
    started = []
    try:
        for _ in range(count):
            log = open(BASE_DIR / "var" / f"worker-{queue}-{uuid.uuid4().hex[:4]}.log", "w+")  # noqa: SIM115
            started.append((_start(queue, env, log), log))
        deadline = time.monotonic() + ready_timeout
        for process, log in started:
            while "ready." not in Path(log.name).read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not start:\n{Path(log.name).read_text()[-3000:]}")
                time.sleep(0.1)
        yield queue, [process for process, _ in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, log in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
            Path(log.name).unlink(missing_ok=True)


def _start(queue: str, env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "info",
            "-n",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
