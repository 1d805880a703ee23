import datetime
from contextlib import contextmanager
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import MANAGER, STAFF
from plans.models import Department, Plan, ProgressUpdate, Task

# Task ids whose derived state waits for the end of ``one_derived_refresh``; None outside it.
_pending_refresh: set[int] | None = None


def _derived_refresh(task_id: int) -> None:
    from tracking.derived import task_derived_refresh

    if _pending_refresh is not None:
        _pending_refresh.add(task_id)
    else:
        task_derived_refresh(task_ids=[task_id], today=timezone.localdate())


@contextmanager
def one_derived_refresh():
    """Tasks and updates made inside get their derived state worked out once, together, on leaving, as
    an import does: one refresh builds a large subquery (about 0.1 s), so a refresh per row made test
    data of a few hundred rows cost minutes. Nothing inside may read the derived state."""
    global _pending_refresh
    from tracking.derived import task_derived_refresh

    if _pending_refresh is not None:  # nested: the outer block refreshes
        yield
        return
    _pending_refresh = set()
    try:
        yield
        task_derived_refresh(task_ids=_pending_refresh, today=timezone.localdate())
    finally:
        _pending_refresh = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    is_staff = True
    password = factory.django.Password("pw-for-tests")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.add(*extracted)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"第{n}科")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"2025年工作要点{n}")
    bureau = "嘉兴市科技局"
    year = 2025
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 12, 31)
    state = Plan.State.ACTIVE


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"新认定高新技术企业{n}")
    kind = Task.Kind.QUANTITATIVE
    lead_department = factory.SubFactory(DepartmentFactory)
    start_date = factory.SelfAttribute("plan.period_start")
    deadline = factory.SelfAttribute("plan.period_end")
    target_value = Decimal("400")
    unit = "家"
    comparator = Task.Comparator.AT_LEAST

    class Params:
        # TaskFactory(milestone=True): a task done in steps, reported in percent, with no figure to reach.
        milestone = factory.Trait(kind=Task.Kind.MILESTONE, target_value=None, comparator="", unit="")

    @factory.post_generation
    def derived(self, create, extracted, **kwargs):
        """As every write service does: the task's derived state (colour of today, chart points)."""
        if create:
            _derived_refresh(self.pk)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True

    task = factory.SubFactory(TaskFactory)
    period = "2025-06"
    value = Decimal("100")
    reported_by = factory.SubFactory(UserFactory)
    reported_at = factory.LazyFunction(timezone.now)
    state = "approved"

    @factory.post_generation
    def refresh_task(self, create, extracted, **kwargs):
        """As the review services do: the task's derived state (its approved figures, colour, points)."""
        if create:
            _derived_refresh(self.task_id)


__all__ = ["MANAGER", "STAFF", "one_derived_refresh"]
