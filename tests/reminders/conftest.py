"""A small bureau on Monday 9 June 2025 (the day after the Dragon Boat holiday week's end), with one
task for each kind of reminder, and real SMTP and webhook servers on loopback."""

import datetime
from types import SimpleNamespace

import pytest

from accounts.roles import MANAGER, STAFF
from tests.factories import DepartmentFactory, PlanFactory, TaskFactory, UserFactory

from .servers import SMTPServer, WebhookServer

D = datetime.date
MONDAY = D(2025, 6, 9)


@pytest.fixture
def smtp_server():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def webhook_server():
    with WebhookServer() as server:
        yield server


@pytest.fixture
def bureau(db):
    owner = UserFactory(username="keyuan", email="keyuan@kjj.test", phone="13800000001", role=STAFF)
    contact = UserFactory(username="lianluo", email="lianluo@kjj.test", role=STAFF)
    leader = UserFactory(username="fenguan", email="fenguan@kjj.test", role=MANAGER)
    other = UserFactory(username="qita", email="qita@kjj.test", role=STAFF)
    # Reporting day 28: nothing is chased for a missing June report in department A on 9 June.
    department = DepartmentFactory(name="高新技术科", contact=contact, leader=leader, reporting_day=28)
    department.members.add(owner, contact)
    reporting = DepartmentFactory(name="成果转化科", leader=leader, reporting_day=5)
    reporting.members.add(other)
    plan = PlanFactory()

    def task(code, deadline, dept=department, who=owner):
        return TaskFactory(plan=plan, code=code, lead_department=dept, owner=who, deadline=deadline)

    return SimpleNamespace(
        owner=owner,
        contact=contact,
        leader=leader,
        other=other,
        department=department,
        reporting=reporting,
        plan=plan,
        due_in_3=task("一.1", D(2025, 6, 12)),  # 3 days before is today
        overdue=task("一.2", D(2025, 6, 6)),  # the first working day after the deadline is today
        # Deadline Sunday 1 June: more than 5 days overdue since Friday 6 June, so today the leader hears.
        escalated=task("一.3", D(2025, 6, 1)),
        far=task("一.4", D(2025, 9, 30)),  # nothing owed
        report_missing=task("二.1", D(2025, 12, 31), dept=reporting, who=other),  # June report due on the 5th
    )
