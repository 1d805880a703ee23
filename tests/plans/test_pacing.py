import datetime
import itertools
from decimal import Decimal

import pytest

from plans.models import Task
from plans.pacing import Health, expected_percent, health, percent_complete
from plans.selectors import with_progress
from tests.factories import (
    DepartmentFactory,
    PlanFactory,
    ProgressUpdateFactory,
    TaskFactory,
    UserFactory,
    one_derived_refresh,
)
from tracking.derived import task_derived_rollover, task_new_state

JAN1, DEC31 = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


def test_expected_percent_is_zero_on_the_start_day_and_full_on_the_deadline():
    assert expected_percent(start=JAN1, deadline=DEC31, today=JAN1, pacing="linear") == 0
    assert expected_percent(start=JAN1, deadline=DEC31, today=DEC31, pacing="linear") == 100
    assert expected_percent(start=JAN1, deadline=DEC31, today=datetime.date(2026, 3, 1), pacing="linear") == 100


def test_expected_percent_grows_linearly_between_start_and_deadline():
    mid = datetime.date(2025, 7, 2)  # 182 of 364 days
    assert expected_percent(start=JAN1, deadline=DEC31, today=mid, pacing="linear") == pytest.approx(50.0)


def test_a_task_paced_at_its_deadline_expects_nothing_before_it():
    mid = datetime.date(2025, 7, 2)
    assert expected_percent(start=JAN1, deadline=DEC31, today=mid, pacing="deadline") == 0


def test_percent_complete_uses_the_baseline_when_known():
    # 比重 from 68% to 71%: 69.5% is half way.
    assert percent_complete(
        kind="quantitative",
        comparator=">=",
        target_value=Decimal(71),
        baseline=Decimal(68),
        actual=Decimal("69.5"),
        milestone_percent=None,
    ) == pytest.approx(50.0)


def test_over_target_is_reported_above_one_hundred_percent():
    assert percent_complete(
        kind="quantitative",
        comparator=">=",
        target_value=Decimal(400),
        baseline=None,
        actual=Decimal(450),
        milestone_percent=None,
    ) == pytest.approx(112.5)


def test_a_ceiling_target_is_met_while_under_it():
    common = dict(kind="quantitative", comparator="<=", target_value=Decimal(10), baseline=None, milestone_percent=None)
    assert percent_complete(actual=Decimal(8), **common) == 100
    assert percent_complete(actual=Decimal(20), **common) == 50


def test_milestone_percent_is_the_reported_percent():
    assert (
        percent_complete(
            kind="milestone",
            comparator="",
            target_value=None,
            baseline=None,
            actual=None,
            milestone_percent=Decimal(40),
        )
        == 40
    )


TODAY = datetime.date(2025, 7, 2)


@pytest.mark.parametrize(
    ("deadline", "percent", "completed", "colour"),
    [
        (TODAY - datetime.timedelta(days=1), 10.0, False, Health.RED),  # one day late
        (TODAY, 10.0, False, Health.BLUE),  # due today: not yet overdue
        (TODAY + datetime.timedelta(days=7), 10.0, False, Health.BLUE),  # 7 days is still "due soon"
        (TODAY - datetime.timedelta(days=30), 10.0, True, Health.DONE),  # closed late is done
        (TODAY - datetime.timedelta(days=30), 100.0, False, Health.DONE),  # target reached
    ],
)
def test_health_colours_at_the_deadline_boundaries(deadline, percent, completed, colour):
    assert (
        health(kind="quantitative", percent=percent, expected=50.0, deadline=deadline, today=TODAY, completed=completed)
        == colour
    )


def test_behind_pace_starts_past_the_tolerance(settings):
    settings.PACE_TOLERANCE_POINTS = 5
    far = TODAY + datetime.timedelta(days=100)
    common = dict(kind="quantitative", expected=50.0, deadline=far, today=TODAY, completed=False)
    assert health(percent=45.0, **common) == Health.GREEN
    assert health(percent=44.9, **common) == Health.YELLOW
    assert health(percent=None, **common) == Health.YELLOW


def test_a_ceiling_target_under_its_limit_is_not_done_before_it_is_closed():
    far = TODAY + datetime.timedelta(days=100)
    assert (
        health(
            kind="quantitative",
            percent=100.0,
            expected=50.0,
            deadline=far,
            today=TODAY,
            completed=False,
            comparator="<=",
        )
        == Health.GREEN
    )


def test_a_section_has_no_colour_of_its_own():
    assert health(kind="section", percent=None, expected=50.0, deadline=TODAY, today=TODAY, completed=False) == ""


@pytest.mark.django_db
def test_the_sql_annotation_agrees_with_the_python_rules_on_every_case():
    """Each combination of kind, comparator, baseline, progress and deadline, on this database."""
    today = datetime.date(2025, 6, 15)
    deadlines = [datetime.date(2025, 6, 14), today, datetime.date(2025, 6, 22), datetime.date(2025, 6, 23), DEC31]
    cases = itertools.product(
        [Task.Kind.QUANTITATIVE, Task.Kind.MILESTONE, Task.Kind.SECTION],
        [">=", "<=", "~"],
        [None, Decimal(30)],
        [None, Decimal(0), Decimal(20), Decimal(45), Decimal(60)],
        deadlines,
        [Task.Pacing.LINEAR, Task.Pacing.AT_DEADLINE],
        [None, datetime.date(2025, 6, 1)],
    )
    made, plan, department, reporter = [], PlanFactory(), DepartmentFactory(), UserFactory()
    with one_derived_refresh():  # as an import does: a refresh per task would take minutes here
        for n, (kind, comparator, baseline, reported, deadline, pacing, completed_on) in enumerate(cases):
            if kind == Task.Kind.SECTION and (reported is not None or comparator != ">="):
                continue
            quantitative = kind == Task.Kind.QUANTITATIVE
            task = TaskFactory(
                plan=plan,
                lead_department=department,
                code=f"C{n}",
                kind=kind,
                comparator=comparator if quantitative else "",
                target_value=Decimal(50) if quantitative else None,
                unit="项" if quantitative else "",
                baseline=baseline if quantitative else None,
                deadline=deadline,
                pacing=pacing,
                completed_on=completed_on,
            )
            if reported is not None:
                ProgressUpdateFactory(
                    task=task,
                    reported_by=reporter,
                    value=reported if quantitative else None,
                    percent=None if quantitative else min(reported, Decimal(100)),
                )
            made.append((task, kind, reported, deadline, pacing, completed_on))
    expected = {}
    for task, kind, reported, deadline, pacing, completed_on in made:
        quantitative = kind == Task.Kind.QUANTITATIVE
        milestone_percent = None if quantitative or reported is None else min(reported, Decimal(100))
        percent = percent_complete(
            kind=kind,
            comparator=task.comparator,
            target_value=task.target_value,
            baseline=task.baseline,
            actual=reported if quantitative else None,
            milestone_percent=milestone_percent,
        )
        exp = expected_percent(start=task.start_date, deadline=deadline, today=today, pacing=pacing)
        colour = health(
            kind=kind,
            percent=percent,
            expected=exp,
            deadline=deadline,
            today=today,
            completed=completed_on is not None,
            comparator=task.comparator,
        )
        expected[task.pk] = (percent, exp, colour)

    rows = with_progress(Task.objects.filter(pk__in=expected), today=today)
    checked = 0
    for task in rows:
        percent, exp, colour = expected[task.pk]
        assert task.percent_complete == (None if percent is None else pytest.approx(percent)), task.code
        assert task.expected_percent == pytest.approx(exp), task.code
        assert task.health == colour, task.code
        checked += 1
    assert checked == len(expected) > 500
    # The stored colour the lists and the dashboard read is the same rule, written by one UPDATE.
    Task.objects.update(colour_on=None)
    assert task_derived_rollover(today=today) == len(expected)
    stored = dict(Task.objects.filter(pk__in=expected).values_list("pk", "colour"))
    assert stored == {pk: colour for pk, (_, _, colour) in expected.items()}
    assert task_derived_rollover(today=today) == 0  # fresh: nothing to do
    # The colour a new task is inserted with (``task_new_state``, in Python) is the same rule again.
    born = {
        task["id"]: task_new_state(task, today=today)["colour"]
        for task in Task.objects.filter(pk__in=expected).values()
    }
    assert born == {pk: colour for pk, (_, _, colour) in expected.items()}
