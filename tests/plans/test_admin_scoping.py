"""A staff user of department A must not reach department B's tasks through any admin URL."""

import json

import pytest
from django.urls import reverse

from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db


def task_urls(task):
    return {
        "change": reverse("admin:plans_task_change", args=[task.pk]),
        "history": reverse("admin:plans_task_history", args=[task.pk]),
    }


@pytest.mark.parametrize("page", ["change", "history"])
def test_staff_get_403_for_another_departments_task_page(client, staff_a, task_a, task_b, page):
    client.force_login(staff_a)
    assert client.get(task_urls(task_a)[page]).status_code == 200
    assert client.get(task_urls(task_b)[page]).status_code == 403


def test_staff_cannot_post_to_another_departments_task(client, staff_a, task_b):
    client.force_login(staff_a)
    response = client.post(task_urls(task_b)["change"], {"updates-TOTAL_FORMS": "1"})
    assert response.status_code == 403
    assert not task_b.updates.exists()


def test_manager_reaches_every_departments_task(client, manager, task_a, task_b):
    client.force_login(manager)
    for task in (task_a, task_b):
        for url in task_urls(task).values():
            assert client.get(url).status_code == 200


def test_staff_changelist_lists_only_their_departments_tasks(client, staff_a, task_a, task_b):
    client.force_login(staff_a)
    response = client.get(reverse("admin:plans_task_changelist"))
    shown = {task.pk for task in response.context["cl"].result_list}
    assert shown == {task_a.pk}


def test_staff_see_tasks_their_department_supports(client, staff_a, task_b, department_a):
    task_b.supporting_departments.add(department_a)
    client.force_login(staff_a)
    response = client.get(reverse("admin:plans_task_changelist"))
    assert {task.pk for task in response.context["cl"].result_list} == {task_b.pk}


def test_the_raw_id_popup_is_scoped_too(client, staff_a, task_a, task_b):
    client.force_login(staff_a)
    response = client.get(reverse("admin:plans_task_changelist"), {"_popup": "1", "_to_field": "id"})
    assert {task.pk for task in response.context["cl"].result_list} == {task_a.pk}


def test_autocomplete_offers_only_visible_tasks(client, staff_a, task_a, task_b):
    client.force_login(staff_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "plans", "model_name": "progressupdate", "field_name": "task", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(item["id"]) for item in json.loads(response.content)["results"]}
    assert ids == {task_a.pk}


def test_progress_updates_of_other_departments_are_hidden(client, staff_a, task_a, task_b):
    mine = ProgressUpdateFactory(task=task_a, reported_by=staff_a)
    theirs = ProgressUpdateFactory(task=task_b)
    client.force_login(staff_a)
    listed = client.get(reverse("admin:plans_progressupdate_changelist")).context["cl"].result_list
    assert {update.pk for update in listed} == {mine.pk}
    assert client.get(reverse("admin:plans_progressupdate_change", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("admin:plans_progressupdate_change", args=[mine.pk])).status_code == 200


def test_the_report_form_offers_only_visible_tasks(client, staff_a, task_a, task_b):
    client.force_login(staff_a)
    response = client.get(reverse("admin:plans_progressupdate_add"))
    choices = response.context["adminform"].form.fields["task"].queryset
    assert set(choices.values_list("pk", flat=True)) == {task_a.pk}


def test_staff_cannot_change_the_task_itself_only_report_on_it(client, staff_a, task_a):
    client.force_login(staff_a)
    response = client.get(task_urls(task_a)["change"])
    form_fields = response.context["adminform"].form.fields
    assert "deadline" not in form_fields and "owner" not in form_fields


def test_staff_cannot_create_plans_or_tasks(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("admin:plans_plan_add")).status_code == 403
    assert client.get(reverse("admin:plans_task_add")).status_code == 403


def test_every_page_requires_login(client, task_a):
    for url in (reverse("home"), reverse("admin:plans_task_changelist"), reverse("evidence-download", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_staff_cannot_open_or_revert_an_old_version_of_another_departments_task(client, staff_a, task_b, manager):
    task_b._history_user = manager
    task_b.title = "改过的标题"
    task_b.save()
    version = task_b.history.earliest("history_date")
    url = reverse("admin:plans_task_simple_history", args=[task_b.pk, version.history_id])
    client.force_login(staff_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x"}).status_code == 403
    task_b.refresh_from_db()
    assert task_b.title == "改过的标题"


def test_staff_cannot_revert_their_own_departments_task_either(client, staff_a, task_a, manager):
    task_a._history_user = manager
    task_a.title = "新标题"
    task_a.save()
    version = task_a.history.earliest("history_date")
    client.force_login(staff_a)
    url = reverse("admin:plans_task_simple_history", args=[task_a.pk, version.history_id])
    assert client.post(url, {"title": "x"}).status_code == 403


def test_administrators_see_every_department_and_manage_departments(client, administrator, task_a, task_b):
    client.force_login(administrator)
    listed = client.get(reverse("admin:plans_task_changelist")).context["cl"].result_list
    assert {task.pk for task in listed} == {task_a.pk, task_b.pk}
    assert client.get(reverse("admin:plans_department_add")).status_code == 200


def test_managers_cannot_manage_departments_or_users(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:plans_department_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
