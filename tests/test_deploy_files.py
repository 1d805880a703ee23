"""The deployment files say what the README promises.

No Docker engine runs on the development machines, so docker-compose.yml is checked by parsing it.
None of these tests touches the database.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ci_lines() -> list[str]:
    """The commands of .ci/run, comments and blank lines dropped."""
    lines = []
    for raw in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#!") else ""
        if line:
            lines.append(line)
    return lines


def _healthcheck_command(service: dict) -> str:
    test = service.get("healthcheck", {}).get("test")
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL"), test
        return " ".join(test[1:])
    return test or ""


def _env(service: dict) -> dict:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_the_five_services_exist(compose):
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_db_redis_and_web_have_real_healthchecks(compose):
    services = compose["services"]
    assert "pg_isready" in _healthcheck_command(services["db"])
    assert "redis-cli" in _healthcheck_command(services["redis"])
    assert "ping" in _healthcheck_command(services["redis"])
    web_check = _healthcheck_command(services["web"])
    assert "/healthz" in web_check and "urllib" in web_check
    # The check is Python code run by the image's interpreter: it must at least compile.
    compile(services["web"]["healthcheck"]["test"][-1], "<web healthcheck>", "exec")


def test_redis_keeps_its_data(compose):
    command = compose["services"]["redis"]["command"]
    command = " ".join(command) if isinstance(command, list) else command
    assert re.search(r"--appendonly\s+yes", command)


def test_there_is_exactly_one_beat(compose):
    beat = compose["services"]["beat"]
    replicas = beat.get("deploy", {}).get("replicas", 1)
    assert replicas <= 1
    assert "scale" not in beat
    commands = {name: " ".join(svc.get("command") or []) for name, svc in compose["services"].items()}
    assert [name for name, cmd in commands.items() if re.search(r"\bbeat\b", cmd)] == ["beat"]
    assert "DatabaseScheduler" in commands["beat"]
    assert "worker" in commands["worker"]
    # A stale pidfile must not stop beat from coming back after a container restart.
    assert "--pidfile=" in compose["services"]["beat"]["command"]


def test_volumes_are_named_and_media_is_shared_by_web_and_worker(compose):
    declared = set(compose["volumes"])
    mounts = {}
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            assert not source.startswith((".", "/", "~")), f"{name} mounts a host path: {volume}"
            assert source in declared, f"{name} mounts undeclared volume {source}"
            mounts.setdefault(source, set()).add((name, target))
    assert ("db", "/var/lib/postgresql/data") in mounts["pgdata"]
    assert ("redis", "/data") in mounts["redisdata"]
    assert {("web", "/app/var/media"), ("worker", "/app/var/media")} <= mounts["media"]
    # The nightly backup runs on a worker; `docker compose run --rm web python manage.py backup` by hand.
    assert {("web", "/app/var/backups"), ("worker", "/app/var/backups")} <= mounts["backups"]
    assert _env(compose["services"]["worker"])["BACKUP_DIR"] == "/app/var/backups"


def test_app_services_run_production_settings_against_db_and_redis(compose):
    for name in APP_SERVICES:
        env = _env(compose["services"][name])
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        assert re.fullmatch(r"postgres://kjj:\$\{POSTGRES_PASSWORD[^}]*\}@db:5432/kjj", env["DATABASE_URL"]), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert "ALLOWED_HOSTS" in env and "EMAIL_URL" in env, name


def test_migrations_run_once_before_web_worker_and_beat(compose):
    migrate = compose["services"]["migrate"]
    command = " ".join(migrate["command"])
    assert "migrate --noinput" in command and "setup_roles" in command
    assert migrate.get("restart") == "no"
    for name in APP_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_env_example_documents_every_variable_compose_reads():
    used = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    documented = set(re.findall(r"^(\w+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "ALLOWED_HOSTS", "EMAIL_URL"} <= used
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"


def test_ci_runs_make_test_twice_the_second_time_on_postgres_and_redis(ci_lines):
    runs = [i for i, line in enumerate(ci_lines) if re.fullmatch(r"make test", line)]
    assert len(runs) == 2, ci_lines
    first, second = runs
    before, between = ci_lines[:first], ci_lines[first:second]

    assert "set -euo pipefail" in ci_lines
    # Pass 1 is on the defaults: the service URLs are unset, not merely left alone.
    unset = " ".join(line for line in before if line.startswith("unset "))
    assert "DATABASE_URL" in unset and "REDIS_URL" in unset
    assert not any("postgres://" in line or "redis://" in line for line in before)

    assert "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/kjj_ci" in between
    assert "export REDIS_URL=redis://127.0.0.1:6379/5" in between
    assert "export REQUIRE_SERVICES=1" in between
    assert any(line.startswith("if ! pg_isready") for line in between)
    assert any("redis-cli -u" in line and "ping" in line for line in between)
    assert any("createdb" in line and "kjj_ci" in line for line in between)


def test_scripts_are_executable_bash_that_parses():
    bash = shutil.which("bash")
    for script in (ROOT / ".ci" / "run", ROOT / "bin" / "serve"):
        assert os.access(script, os.X_OK), f"{script} is not executable"
        assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
        if bash:
            subprocess.run([bash, "-n", str(script)], check=True)


def test_serve_runs_one_worker_one_beat_and_cleans_up():
    serve = (ROOT / "bin" / "serve").read_text(encoding="utf-8")
    assert serve.count("-A config worker") == 1
    assert serve.count("-A config beat") == 1
    assert "django_celery_beat.schedulers:DatabaseScheduler" in serve
    assert re.search(r"^trap \S+ EXIT$", serve, re.M)
    assert re.search(r"^trap .* INT$", serve, re.M) and re.search(r"^trap .* TERM$", serve, re.M)


def test_makefile_test_target_installs_browser_deps_first():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"^test:(.*)$", makefile, re.M)
    assert target and {"install", "browser-deps"} <= set(target.group(1).split())
    assert "chromium fonts-wqy-microhei" in makefile
    assert re.search(r"^\$\(STAMP\): requirements\.txt requirements-dev\.txt$", makefile, re.M)


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M)
    assert cmd and yaml.safe_load(cmd.group(1))[:6] == [
        "gunicorn",
        "config.wsgi",
        "--bind",
        "0.0.0.0:8000",
        "--workers",
        "3",
    ]
    assert "fonts-wqy-microhei" in dockerfile
    assert "collectstatic --noinput" in dockerfile


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-r ")):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"{path.name}: not pinned: {line}"
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_requirements_pin_every_direct_dependency():
    runtime = _pins(ROOT / "requirements.txt")
    dev = _pins(ROOT / "requirements-dev.txt")
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", line).group()).lower()
            assert name in runtime, f"{name} is in requirements.in but not pinned in requirements.txt"
    assert runtime["django"].startswith("5.2.")
    assert {"packaging", "redis", "kombu"} <= set(runtime)  # celery[redis] brought its extras
    wanted_dev = {
        "pytest",
        "pytest-django",
        "pytest-xdist",
        "factory-boy",
        "time-machine",
        "hypothesis",
        "ruff",
        "aiosmtpd",
        "playwright",
    }
    assert wanted_dev <= set(dev)
    assert not set(dev) & set(runtime), "requirements-dev.txt repeats runtime pins"
    assert (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines().count("-r requirements.txt") == 1
