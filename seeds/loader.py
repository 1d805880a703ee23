"""Loads the demo organisation, reads the five seed plan documents, and adds demo progress.

Idempotent: running it again creates nothing that already exists and never
resets a password or overwrites a task someone has edited.
"""

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import STAFF, sync_roles
from intake.documents import plan_import_document
from intake.extraction import extract_plan, read_document
from plans import services
from plans.models import Department, Plan, ProgressUpdate, ReviewState, Task
from tracking.derived import task_derived_refresh

BASE_DIR = Path(__file__).resolve().parent.parent
ORG_FILE = BASE_DIR / "fixtures" / "demo_org.yaml"
DEMO_PASSWORD = "demo12345"


@transaction.atomic
def load_org(path: Path = ORG_FILE) -> dict[str, int]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sync_roles()
    User = get_user_model()
    created = {"departments": 0, "users": 0}
    users: dict[str, object] = {}
    for row in data["users"]:
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(
                username=row["username"],
                full_name=row.get("full_name", ""),
                title=row.get("title", ""),
                # Reminders and reports go by email; `make run` prints mail on the console.
                email=row.get("email", f"{row['username']}@demo.kejiju.example"),
                is_staff=True,
                is_superuser=row.get("superuser", False),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=row["role"]))
            created["users"] += 1
        users[row["username"]] = user
    for position, row in enumerate(data["departments"], start=1):
        exists = Department.objects.filter(name=row["name"]).exists()
        services.department_get_or_create(
            name=row["name"],
            position=position,
            leader=users.get(row.get("leader")),
            contact=users.get(row.get("contact")),
        )
        created["departments"] += not exists
    for row in data["users"]:
        users[row["username"]].departments.add(*Department.objects.filter(name__in=row.get("departments", [])))
    return created


def _owners_by_department() -> dict[str, object]:
    owners = {}
    staff = Group.objects.get(name=STAFF).user_set.order_by("username").prefetch_related("departments")
    for user in staff:
        for department in user.departments.all():
            owners.setdefault(department.name, user)
    return owners


SEEDS_DIR = BASE_DIR / "seeds"


def seed_documents() -> list[Path]:
    return sorted(SEEDS_DIR.glob("[0-9][0-9][0-9]_*.txt"))


@transaction.atomic
def load_seed_plan(path: Path) -> tuple[Plan, int]:
    """Read one seed document into a plan the way any bureau's document is read."""
    result = plan_import_document(
        extracted=extract_plan(read_document(path.read_bytes(), path.name)), source_name=path.name
    )
    return result.plan, result.created


@transaction.atomic
def assign_demo_departments(plan: Plan, rules: list[dict]) -> int:
    """Give unassigned tasks a lead department by keyword, and its first staff member as owner."""
    departments = {d.name: d for d in Department.objects.all()}
    owners = _owners_by_department()
    assigned = 0
    for task in plan.tasks.filter(lead_department__isnull=True):
        text = f"{task.title} {task.description}"
        rule = next(r for r in rules if not r["keywords"] or any(word in text for word in r["keywords"]))
        department = departments[rule["department"]]
        owner = None if task.kind == Task.Kind.SECTION else owners.get(department.name)
        services.task_assign(task=task, lead_department=department, owner=owner)
        assigned += 1
    return assigned


def _fraction(code: str, salt: str) -> float:
    """A stable pseudo-random number in [0, 1) per task, so the demo looks the same every time."""
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


@transaction.atomic
def add_demo_progress(plan: Plan, *, today: datetime.date) -> int:
    """Monthly updates up to today for tasks that have none, at paces that vary by task."""
    tasks = list(
        plan.tasks.exclude(kind=Task.Kind.SECTION).filter(updates__isnull=True).select_related("owner", "plan")
    )
    tz = timezone.get_current_timezone()
    updates = []
    for task in tasks:
        reporter = task.owner
        if reporter is None:
            continue
        # Most tasks keep pace; some lag behind; a few stall. Past plans mostly finished.
        draw = _fraction(task.code, str(plan.pk))
        finished = plan.year < today.year and draw < 0.85
        pace = 1.1 if finished else (1.08 + draw * 0.3 if draw < 0.6 else 0.45 + draw * 0.4 if draw < 0.9 else 0.1)
        month = datetime.date(task.start_date.year, task.start_date.month, 1)
        last_day = min(today, task.deadline)
        while month <= last_day:
            reported_on = month.replace(day=25)
            if reported_on > today:
                break
            elapsed = (min(reported_on, task.deadline) - task.start_date).days
            total = max((task.deadline - task.start_date).days, 1)
            share = min(1.0, pace * elapsed / total)
            value = percent = None
            if task.kind == Task.Kind.QUANTITATIVE and task.target_value is not None:
                value = (task.target_value * Decimal(str(round(share, 4)))).quantize(Decimal("0.01"))
            else:
                percent = Decimal(str(round(share * 100)))
            updates.append(
                ProgressUpdate(
                    state=ReviewState.APPROVED,  # the demo's history: reviewed and counted
                    reviewed_by=reporter,
                    task=task,
                    period=month.strftime("%Y-%m"),
                    value=value,
                    percent=percent,
                    narrative=f"{month.month}月进展：按计划推进。",
                    reported_by=reporter,
                    reported_at=datetime.datetime.combine(reported_on, datetime.time(10), tzinfo=tz),
                )
            )
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    ProgressUpdate.objects.bulk_create(updates, batch_size=500)
    task_derived_refresh(task_ids=plan.tasks.all(), today=timezone.localdate())
    return len(updates)


def setup_demo(*, today: datetime.date) -> dict[str, int]:
    summary = load_org()
    rules = yaml.safe_load(ORG_FILE.read_text(encoding="utf-8"))["assignments"]
    summary.update(plans=0, tasks=0, updates=0)
    for path in seed_documents():
        plan, created = load_seed_plan(path)
        assign_demo_departments(plan, rules)
        summary["plans"] += 1
        summary["tasks"] += created
        summary["updates"] += add_demo_progress(plan, today=today)
        if plan.state == Plan.State.DRAFT:
            services.plan_change_state(plan=plan, state=Plan.State.ACTIVE)
    return summary
