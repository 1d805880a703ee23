"""No request parameter causes an HTTP 500: a bounded fuzz over every list's query parameters (site lists
and every admin change list) and every form (the site's forms and every admin add form), as staff and as
an administrator. It prints how many requests it made and how many answered 500."""

import datetime
import itertools

import pytest
from django.contrib import admin
from django.db import models
from django.urls import NoReverseMatch, reverse

from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db

NASTY = (
    "99999999999999999999",
    "-1",
    "abc",
    "",
    "2025-13-45",
    "1e309",
    "' OR 1=1--",
    "\x00",
    "１２",
    "[]",
    "😀",
    "0" * 300,
)
SITE_PARAMS = (
    "page",
    "q",
    "plan",
    "department",
    "owner",
    "health",
    "deadline_after",
    "deadline_before",
    "ordering",
    "format",
    "kind",
    "period",
)
ADMIN_PARAMS = ("p", "o", "q", "e", "_changelist_filters")


def field_params(model) -> list[str]:
    names = []
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.many_to_many:
            continue
        if isinstance(field, models.ForeignKey):
            names += [f"{field.name}__id__exact", f"{field.name}__exact"]
        else:
            names += [f"{field.name}__exact", f"{field.name}__gte", f"{field.name}__isnull"]
        if isinstance(field, models.DateField):
            names += [f"{field.name}__year", f"{field.name}__month", f"{field.name}__day"]
    return names


def values(count: int):
    return itertools.islice(itertools.cycle(NASTY), count)


def test_no_parameter_of_any_list_or_form_causes_a_server_error(client, staff_a, administrator, task_a, task_b, capsys):
    ProgressUpdateFactory(task=task_a, reported_by=staff_a, period="2025-06")
    client.raise_request_exception = False
    requests, errors = 0, []

    def hit(method, url, data):
        nonlocal requests
        requests += 1
        answer = getattr(client, method)(url, data)
        if answer.status_code >= 500:
            errors.append(f"{method.upper()} {url} {data!r} → {answer.status_code}")

    site_lists = [reverse(name) for name in ("home", "overdue", "behind-pace", "due-soon", "dashboard")]
    site_lists += [reverse("reports:list"), reverse("task", args=[task_a.pk])]
    site_forms = {
        reverse("reminders:settings"): ("by_email", "by_chat", "unmute"),
        reverse("task", args=[task_a.pk]): (
            "action",
            "period",
            "value",
            "percent",
            "narrative",
            "new_deadline",
            "reason",
            "completed_on",
            "correction_note",
        ),
        reverse("two-factor"): ("token", "next"),
    }
    for user in (staff_a, administrator):
        client.force_login(user)
        for url in site_lists:
            for name, value in zip(SITE_PARAMS, values(len(SITE_PARAMS)), strict=True):
                hit("get", url, {name: value})
        for url, names in site_forms.items():
            for value in NASTY[:6]:
                hit("post", url, {name: value for name in names})
            for action in ("report", "extend", "close", "mute", "unmute", "nonsense"):
                hit("post", url, {"action": action, **{name: NASTY[0] for name in names if name != "action"}})
    client.force_login(administrator)
    for model in admin.site._registry:
        opts = model._meta
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        names = ADMIN_PARAMS + tuple(field_params(model))[:4]
        for name, value in zip(names, values(len(names)), strict=True):
            hit("get", changelist, {name: value})
        hit("get", changelist + "99999999999999999999/change/", {})
        hit("get", changelist + "abc/change/", {})
        try:
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        except NoReverseMatch:
            continue
        fields = [f.name for f in opts.concrete_fields if f.editable and not f.primary_key]
        for value in ("99999999999999999999", "abc", "-1"):
            hit("post", add, {name: value for name in fields})
    print(f"\nfuzz: {requests} requests, {len(errors)} answered 500 ({datetime.date.today()})")  # noqa: T201
    assert requests > 300
    assert not errors, "\n".join(errors[:20])


def test_a_page_number_past_the_database_integers_shows_the_last_page(client, staff_a, task_a):
    client.force_login(staff_a)
    answer = client.get(reverse("home"), {"page": "99999999999999999999"})
    assert answer.status_code == 200 and task_a.title in answer.content.decode()


def test_unmuting_with_a_value_that_is_not_a_number_changes_nothing(client, staff_a, task_a):
    from reminders.models import TaskMute

    TaskMute.objects.create(user=staff_a, task=task_a)
    client.force_login(staff_a)
    assert client.post(reverse("reminders:settings"), {"unmute": "abc"}).status_code == 302
    assert TaskMute.objects.filter(user=staff_a).count() == 1


def test_an_id_past_64_bits_in_an_admin_filter_is_a_bad_request(client, administrator):
    client.force_login(administrator)
    answer = client.get(reverse("admin:plans_task_changelist"), {"plan__exact": "99999999999999999999"})
    assert answer.status_code in (200, 302, 400)
