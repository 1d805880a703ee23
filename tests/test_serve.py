"""bin/serve (what `make run` ends with): the site answers, and stopping the script stops everything it started."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.celery_worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc (the worker's pool, runserver's reloaded child)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def var_dir():
    """Not under pytest's tmp_path: pytest takes the read rights of /tmp/pytest-of-<user> back at each
    session's start, and the embedded server's own user must reach its data folder."""
    path = Path(tempfile.mkdtemp(prefix="kjj-serve-"))
    yield path / "var"
    embedded_db.main(["stop", str(path / "var" / "postgres")])  # never leave one running
    shutil.rmtree(path, ignore_errors=True)


def test_serve_answers_and_sigterm_stops_everything_it_started(var_dir):
    """On the defaults: the embedded PostgreSQL in $VAR_DIR/postgres is stopped with the rest."""
    unset = ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL")
    env = {
        **{key: value for key, value in os.environ.items() if key not in unset},
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=120)
    port = free_port()
    serve = subprocess.Popen(
        ["bin/serve", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert serve.poll() is None, "bin/serve exited before the site answered"
                assert time.monotonic() < deadline, "the site did not answer within 60 s"
                time.sleep(0.5)
        # What a person trying it sees: static files without collectstatic, and the site's own Chinese 404.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/site.css", timeout=5) as response:
            assert response.status == 200
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/no-such-page/", headers={"Accept-Language": "zh-hans"}
        )
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(request, timeout=5)
        assert missing.value.code == 404 and "页面不存在" in missing.value.read().decode()
        # Wait for the worker's pool: two worker processes under the worker, besides beat and runserver.
        while len(started := descendants(serve.pid)) < 6 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(started) >= 6, started
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 143
        time.sleep(0.5)
        assert [pid for pid in started if alive(pid)] == []
        assert not (var_dir / "postgres" / "postmaster.pid").exists(), "the embedded PostgreSQL still runs"
    finally:
        if serve.poll() is None:
            serve.kill()
