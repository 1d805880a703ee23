"""Filters of the task lists (django-filter): plan, department, owner, health, deadline range, text."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans.models import Department, Plan, Task

from .selectors import HEALTH_ORDER


def _descending(label) -> str:
    return gettext("%s (descending)") % label


class LazyOrderingFilter(django_filters.OrderingFilter):
    """django-filter builds its "… (descending)" labels once, at import, in no one's language: these are
    worked out when the page is drawn, in the reader's."""

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(field, param)
            choices += [(param, label), (f"-{param}", lazy(_descending, str)(label))]
        return choices


class TaskListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("code or title"), method="search")
    plan = django_filters.ModelChoiceFilter(
        label=_("plan"), queryset=Plan.objects.filter(state=Plan.State.ACTIVE).order_by("-year", "title")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("lead department"), field_name="lead_department", queryset=Department.objects.all()
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("owner"), queryset=get_user_model().objects.filter(is_active=True).order_by("full_name", "username")
    )
    health = django_filters.ChoiceFilter(
        label=_("health"), choices=[(h.value, h.label) for h in HEALTH_ORDER], method="keep", empty_label=None
    )
    deadline = django_filters.DateFromToRangeFilter(
        label=_("deadline between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    ordering = LazyOrderingFilter(
        label=_("sort by"),
        fields=(
            ("deadline", "deadline"),
            ("days_overdue", "days_overdue"),
            ("lead_department__name", "department"),
            ("owner__full_name", "owner"),
            ("percent_complete", "percent"),
            ("code", "code"),
        ),
        # Keyed by the model field, not the parameter: django-filter looks the labels up by field.
        field_labels={
            "deadline": _("deadline"),
            "days_overdue": _("days overdue"),
            "lead_department__name": _("lead department"),
            "owner__full_name": _("owner"),
            "percent_complete": _("percent"),
            "code": _("code"),
        },
    )

    class Meta:
        model = Task
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def keep(self, queryset, name, value):
        return queryset  # the colour picks the list (selectors.task_list_by_health), not a filter on it
