"""The dashboard chart read from stored points equals the chart replayed from every approved update
(``tests.tracking.chart_replay``, the definition on ``plans.pacing``), on random plans and
after every kind of change: approvals (also of old reports), closures, edits, new and deleted tasks,
a moved plan period."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.cache import cache

from plans import services as plan_services
from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.selectors import task_scope
from tests.factories import PlanFactory, ProgressUpdateFactory, TaskFactory
from tests.tracking.chart_replay import plan_progress_series
from tracking.chart_points import month_ends
from tracking.charts import plan_progress_series_cached
from tracking.derived import task_derived_refresh
from tracking.models import ChartPoint
from tracking.reviews import progress_approve
from tracking.services import progress_report

pytestmark = [pytest.mark.django_db, pytest.mark.flushes_cache]
TZ = datetime.UTC


def random_plan(rng: random.Random, *, departments, people, tasks: int = 40) -> Plan:
    plan = PlanFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    made = []
    for n in range(tasks):
        kind = rng.choice([Task.Kind.QUANTITATIVE] * 3 + [Task.Kind.MILESTONE] * 2 + [Task.Kind.SECTION])
        start = datetime.date(2024, 11, 1) + datetime.timedelta(days=rng.randint(0, 300))
        deadline = start + datetime.timedelta(days=rng.choice([0, 1, rng.randint(2, 400)]))
        quantitative = kind == Task.Kind.QUANTITATIVE
        target = Decimal(rng.choice([0, 10, 50, 400])) if quantitative else None
        made.append(
            TaskFactory(
                plan=plan,
                code=f"R{n}",
                kind=kind,
                lead_department=rng.choice(departments),
                owner=rng.choice(people + [None]),
                start_date=start,
                deadline=deadline,
                pacing=rng.choice([Task.Pacing.LINEAR, Task.Pacing.LINEAR, Task.Pacing.AT_DEADLINE]),
                target_value=target,
                comparator=rng.choice(["<=", ">=", ">", "=", "~"]) if quantitative else "",
                baseline=rng.choice([None, Decimal(0), Decimal(20), Decimal(500)]) if quantitative else None,
                completed_on=(
                    datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 400))
                    if kind != Task.Kind.SECTION and rng.random() < 0.15
                    else None
                ),
            )
        )
    updates = []
    for task in made:
        if task.kind == Task.Kind.SECTION:
            continue
        instants = [
            datetime.datetime(2024, 12, 1, tzinfo=TZ) + datetime.timedelta(hours=rng.randint(0, 24 * 420))
            for _ in range(rng.randint(0, 8))
        ]
        for at in instants + instants[:1]:  # one instant twice: the later row wins the tie
            quantitative = task.kind == Task.Kind.QUANTITATIVE
            updates.append(
                ProgressUpdate(
                    task=task,
                    period=at.strftime("%Y-%m"),
                    value=Decimal(rng.randint(0, 600)) / 4 if quantitative else None,
                    percent=None if quantitative else Decimal(rng.randint(0, 100)),
                    reported_by=people[0],
                    reported_at=at,
                    state=rng.choice([ReviewState.APPROVED] * 3 + [ReviewState.SUBMITTED, ReviewState.RETURNED]),
                )
            )
    ProgressUpdate.objects.bulk_create(updates)
    task_derived_refresh(task_ids=plan.tasks.all(), today=datetime.date(2025, 6, 1))  # as the loaders do
    return plan


def assert_chart_is_the_definition(plan: Plan, user, today: datetime.date) -> None:
    cache.clear()
    plan.refresh_from_db()
    stored = plan_progress_series_cached(plan, user=user, today=today)
    replayed = plan_progress_series(plan, tasks=task_scope(user).filter(plan=plan), today=today)
    assert [p.month_end for p in stored] == [p.month_end for p in replayed]
    for mine, truth in zip(stored, replayed, strict=True):
        assert mine.actual == pytest.approx(truth.actual, abs=1e-9), mine.month_end
        assert mine.expected == pytest.approx(truth.expected, abs=1e-9), mine.month_end


@pytest.mark.parametrize("seed", range(6))
def test_stored_points_give_the_chart_of_replaying_every_update_on_random_plans(
    seed, manager, staff_a, department_a, department_b
):
    rng = random.Random(seed)
    plan = random_plan(rng, departments=[department_a, department_b], people=[staff_a, manager])
    for today in (datetime.date(2024, 12, 5), datetime.date(2025, 1, 31), datetime.date(2025, 8, 15)):
        for user in (manager, staff_a):
            assert_chart_is_the_definition(plan, user, today)
    assert_chart_is_the_definition(plan, manager, datetime.date(2026, 3, 1))  # past the plan's end


def test_the_chart_stays_the_definition_through_approvals_closures_edits_and_moves(
    manager, staff_a, department_a, department_b
):
    rng = random.Random(42)
    plan = random_plan(rng, departments=[department_a, department_b], people=[staff_a, manager], tasks=30)
    today = datetime.date(2025, 9, 10)
    tasks = list(plan.tasks.exclude(kind=Task.Kind.SECTION).order_by("pk"))
    quantitative = [t for t in tasks if t.kind == Task.Kind.QUANTITATIVE and not t.completed_on]
    check = [(manager, today), (staff_a, today)]

    # An old report approved now: it changes months long past, not only this one.
    waiting = ProgressUpdate.objects.filter(task__plan=plan, state=ReviewState.SUBMITTED).order_by("reported_at")
    for update in list(waiting[:3]):
        progress_approve(update=update, reviewer=manager)
    for user, day in check:
        assert_chart_is_the_definition(plan, user, day)

    # A manager's own report counts at once.
    task = quantitative[0]
    task.lead_department = department_a
    plan_services.task_save(task=task)
    progress_report(task=task, reported_by=manager, period="2025-09", value=Decimal(333))
    for user, day in check:
        assert_chart_is_the_definition(plan, user, day)

    # The task's own edits, each seen on its own: closed, extended, re-targeted, turned into a section.
    def retarget(task):
        task.target_value, task.baseline = Decimal(1000), Decimal(5)
        plan_services.task_save(task=task)

    def make_section(task):
        task.kind = Task.Kind.SECTION
        plan_services.task_save(task=task)

    edits = [
        lambda: plan_services.task_mark_completed(task=tasks[1], on=datetime.date(2025, 4, 2)),
        lambda: plan_services.task_extend_deadline(
            task=tasks[2], new_deadline=tasks[2].deadline + datetime.timedelta(days=90)
        ),
        lambda: retarget(quantitative[1]),
        lambda: make_section(tasks[3]),
    ]
    for edit in edits:
        edit()
        for user, day in check:
            assert_chart_is_the_definition(plan, user, day)

    # A deleted task (its points go with it), a new task with no report.
    for change in (
        lambda: plan_services.task_delete(tasks=Task.objects.filter(pk=tasks[4].pk)),
        lambda: TaskFactory(plan=plan, code="NEW", lead_department=department_a, start_date=datetime.date(2025, 3, 1)),
    ):
        change()
        for user, day in check:
            assert_chart_is_the_definition(plan, user, day)

    # The plan's period moves: new months to show, the old first month gone.
    plan.refresh_from_db()
    plan.period_start, plan.period_end = datetime.date(2025, 3, 1), datetime.date(2026, 2, 28)
    plan_services.plan_save(plan=plan)
    for user, day in check + [(manager, datetime.date(2026, 2, 10))]:
        assert_chart_is_the_definition(plan, user, day)


def test_an_approval_works_out_only_its_own_tasks_points(manager, staff_a, department_a):
    plan = PlanFactory()
    tasks = [TaskFactory(plan=plan, code=f"P{n}", lead_department=department_a) for n in range(3)]
    for task in tasks[:2]:  # only tasks with an approved update keep points
        ProgressUpdateFactory(
            task=task,
            value=Decimal(40),
            reported_by=manager,
            period="2025-01",
            reported_at=datetime.datetime(2025, 1, 20, tzinfo=TZ),
        )
    task_derived_refresh(task_ids=plan.tasks.all(), today=datetime.date(2025, 6, 1))
    before = {(p.task_id, p.month_end): p.pk for p in ChartPoint.objects.filter(plan=plan)}
    assert len(before) == 2 * 12
    update = progress_report(
        task=tasks[0],
        reported_by=staff_a,
        period="2025-03",
        value=Decimal(200),
        reported_at=datetime.datetime(2025, 3, 20, tzinfo=TZ),
    )
    progress_approve(update=update, reviewer=manager)
    after = {(p.task_id, p.month_end): p for p in ChartPoint.objects.filter(plan=plan)}
    assert all(after[key].pk == pk for key, pk in before.items() if key[0] != tasks[0].pk)
    march = month_ends(datetime.date(2025, 2, 1), datetime.date(2025, 4, 1))
    assert [after[(tasks[0].pk, end)].actual for end in march] == [10.0, 50.0, 50.0]


def test_points_of_a_task_moved_to_another_plan_leave_the_old_plans_chart(manager, department_a):
    old, new = PlanFactory(), PlanFactory(period_start=datetime.date(2025, 7, 1), period_end=datetime.date(2026, 6, 30))
    task = TaskFactory(plan=old, lead_department=department_a)
    TaskFactory(plan=old, lead_department=department_a)
    task_derived_refresh(task_ids=Task.objects.filter(plan=old), today=datetime.date(2025, 6, 1))
    task.plan = new
    plan_services.task_save(task=task)
    today = datetime.date(2025, 10, 1)
    assert_chart_is_the_definition(old, manager, today)  # the old plan first: the moved task's points are there
    assert_chart_is_the_definition(new, manager, today)
    assert not ChartPoint.objects.filter(task=task, plan=old).exists()
