"""Shared personas: a staff user of one department, one of another, a manager."""

import os

import pytest
from django.conf import settings

from accounts.roles import ADMINISTRATOR, MANAGER, STAFF

from .factories import DepartmentFactory, PlanFactory, TaskFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``services`` need a real Redis: they run in CI's second pass. Every other test runs
    on every pass, on PostgreSQL (the embedded one by default).

    With REQUIRE_SERVICES=1 (that pass), a missing service is an error, never a skip.
    """
    on_services = bool(settings.REDIS_URL)
    if os.environ.get("REQUIRE_SERVICES") == "1" and not (on_services and os.environ.get("DATABASE_URL")):
        raise pytest.UsageError("REQUIRE_SERVICES=1 but DATABASE_URL or REDIS_URL is unset")
    if on_services:
        # One Redis database holds the cache and the broker: a cache.clear() empties the queues of a worker
        # started by a test on another xdist worker, and a worker with a short visibility timeout hands out
        # the other's unacknowledged tasks again. So those tests share one xdist worker (--dist loadgroup).
        for item in items:
            if any(item.get_closest_marker(name) for name in ("celery_worker", "flushes_cache", "services")):
                item.add_marker(pytest.mark.xdist_group("redis"))
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("services") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_sessionfinish(session):
    """A pytest-xdist worker hands its score lines to the controller, which prints them."""
    from tests.intake.extraction_scoring import REPORT

    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["extraction_report"] = list(REPORT)


def pytest_testnodedown(node, error):
    from tests.intake.extraction_scoring import REPORT

    REPORT.extend(getattr(node, "workeroutput", {}).get("extraction_report", []))


def pytest_terminal_summary(terminalreporter):
    from tests.intake.extraction_scoring import REPORT

    if REPORT:
        terminalreporter.section("plan reader against the hand labels")
        for line in sorted(REPORT):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def english_messages():
    """Messages read in English in assertions; pages still follow the request's language (zh-hans by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def department_a(db):
    return DepartmentFactory(name="高新技术科")


@pytest.fixture
def department_b(db):
    return DepartmentFactory(name="成果转化科")


@pytest.fixture
def staff_a(department_a):
    return UserFactory(username="keyuan_a", role=STAFF, departments=[department_a])


@pytest.fixture
def staff_b(department_b):
    return UserFactory(username="keyuan_b", role=STAFF, departments=[department_b])


@pytest.fixture
def manager(db):
    return UserFactory(username="kezhang", role=MANAGER)


@pytest.fixture
def administrator(db):
    return UserFactory(username="xitong", role=ADMINISTRATOR)


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def task_a(plan, department_a, staff_a):
    return TaskFactory(plan=plan, code="一.1", lead_department=department_a, owner=staff_a)


@pytest.fixture
def task_b(plan, department_b, staff_b):
    return TaskFactory(plan=plan, code="一.2", lead_department=department_b, owner=staff_b)
