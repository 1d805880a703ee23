import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans import services
from plans.models import Plan, Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def field_errors(task):
    with pytest.raises(ValidationError) as caught:
        task.full_clean()
    return caught.value.message_dict


def test_a_deadline_before_the_start_is_refused_with_a_message(plan):
    task = TaskFactory.build(
        plan=plan, code="x", start_date=datetime.date(2025, 5, 1), deadline=datetime.date(2025, 4, 1)
    )
    assert "The deadline cannot be before the start date." in field_errors(task)["deadline"]


def test_a_range_needs_its_upper_bound_above_its_lower_bound(plan):
    task = TaskFactory.build(
        plan=plan, code="x", comparator="range", target_value=Decimal(10), target_value_max=Decimal(8)
    )
    assert "target_value_max" in field_errors(task)


def test_a_ratio_target_cannot_be_over_one_hundred_percent(plan):
    task = TaskFactory.build(plan=plan, code="x", unit="%", measure="ratio", target_value=Decimal("120"))
    assert "A ratio cannot be over 100%." in field_errors(task)["target_value"]


def test_a_negative_count_is_refused(plan):
    task = TaskFactory.build(plan=plan, code="x", target_value=Decimal(-5))
    assert "target_value" in field_errors(task)


def test_a_quantitative_task_needs_a_value_and_a_comparator(plan):
    task = TaskFactory.build(plan=plan, code="x", target_value=None, comparator="")
    errors = field_errors(task)
    assert "target_value" in errors and "comparator" in errors


def test_the_database_refuses_what_validation_refuses_even_when_code_skips_it(plan):
    with transaction.atomic(), pytest.raises(IntegrityError):
        TaskFactory(plan=plan, code="x", start_date=datetime.date(2025, 5, 1), deadline=datetime.date(2025, 4, 1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        TaskFactory(plan=plan, code="y", comparator="range", target_value=Decimal(10), target_value_max=Decimal(8))
    assert not Task.objects.filter(plan=plan).exists()


def test_codes_are_unique_within_a_plan(plan):
    TaskFactory(plan=plan, code="一.1")
    with transaction.atomic(), pytest.raises(IntegrityError):
        TaskFactory(plan=plan, code="一.1")


def test_a_task_cannot_be_placed_under_itself(plan):
    parent = TaskFactory(plan=plan, code="一", kind="section", target_value=None, comparator="")
    child = TaskFactory(plan=plan, code="一.1", parent=parent)
    parent.parent = child
    assert "parent" in field_errors(parent)


def test_a_plan_period_cannot_end_before_it_starts():
    with pytest.raises(ValidationError) as caught:
        services.plan_create(
            title="t",
            bureau="b",
            year=2025,
            period_start=datetime.date(2025, 12, 1),
            period_end=datetime.date(2025, 1, 1),
        )
    assert "period_end" in caught.value.message_dict
    assert not Plan.objects.exists()
