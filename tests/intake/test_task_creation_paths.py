"""Every way of creating a task writes the same task and the same history for the same input: the admin's
add form, ``task_create``, a plan document and a sheet all go through ``plans.task_writes``."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from intake.documents import plan_import_document
from intake.extraction import ExtractedPlan, ExtractedTask
from intake.sheet_import import plan_import_sheet
from intake.sheets.reading import read_rows
from intake.sheets.rows import read_task_rows
from plans import services
from plans.models import Plan, Task

pytestmark = pytest.mark.django_db
# A section (a sheet's category row carries only its title) and a milestone under it, led by a department.
TITLE = "2025年重点工作"
SECTION, CHILD = "实施企业主体壮大行动", "加强科技企业培育"
END = datetime.date(2025, 12, 31)
DEADLINE = datetime.date(2025, 9, 30)


def new_plan(name: str) -> Plan:
    return services.plan_create(title=f"{TITLE}（{name}）", bureau="科技局", year=2025)


def by_admin(client, user, department) -> Plan:
    plan = new_plan("admin")
    client.force_login(user)
    url = reverse("admin:plans_task_add")
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None and not isinstance(value, list)}
    for formset in client.get(url).context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        data[management.add_prefix("TOTAL_FORMS")] = 0  # no progress reported with the new task

    def add(code, title, kind, deadline, position, parent=None, department=None):
        fields = {
            "plan": plan.pk,
            "code": code,
            "title": title,
            "kind": kind,
            "position": position,
            "start_date": "2025-01-01",
            "deadline": deadline.isoformat(),
            "lead_department": department.pk if department else "",
            "parent": parent.pk if parent else "",
        }
        response = client.post(url, {**data, **fields})
        assert response.status_code == 302, response.context["errors"]
        return Task.objects.get(plan=plan, code=code)

    section = add("一", SECTION, Task.Kind.SECTION, END, 1)
    add("一.1", CHILD, Task.Kind.MILESTONE, DEADLINE, 2, parent=section, department=department)
    return plan


def by_service(user, department) -> Plan:
    plan = new_plan("service")
    section = services.task_create(plan=plan, code="一", title=SECTION, kind=Task.Kind.SECTION, user=user)
    services.task_create(
        plan=plan,
        code="一.1",
        title=CHILD,
        parent=section,
        kind=Task.Kind.MILESTONE,
        deadline=DEADLINE,
        lead_department=department,
        user=user,
    )
    return plan


def by_document(user, department) -> Plan:
    plan = new_plan("document")
    tasks = [
        ExtractedTask("一", None, "一、", SECTION, Task.Kind.SECTION, END, ""),
        ExtractedTask("一.1", "一", "1.", CHILD, Task.Kind.MILESTONE, DEADLINE, "", lead_department_id=department.pk),
    ]
    extracted = ExtractedPlan(title=plan.title, year=2025, bureau=plan.bureau, tasks=tasks, text="")
    assert plan_import_document(extracted=extracted, created_by=user).created == 2
    return plan


def by_sheet(user, department) -> Plan:
    plan = new_plan("sheet")
    book = openpyxl.Workbook()
    book.active.append(["2025年重点工作任务分解表"])
    book.active.append(["序号", "重点任务", "具体目标", "责任单位", "配合单位", "责任人", "完成时限", "备注"])
    book.active.append([f"一、{SECTION}"])
    book.active.append([1, CHILD, "", department.name, "", "", "2025年9月底前", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_task_rows(read_rows(buffer.getvalue(), "tasks.xlsx"), plan_year=2025)
    result = plan_import_sheet(rows=rows, plan=plan, user=user, dry_run=False)
    assert result.written and result.counts["new"] == 2, result.errors
    return plan


TASK_SKIPS = {"id", "plan", "created_at", "updated_at", "parent"}
HISTORY_SKIPS = {"history_id", "id", "plan", "history_date", "parent"}


def written(plan: Plan) -> tuple[list[dict], list[dict]]:
    """The plan's tasks and their history, without what differs by nature (ids, times, the plan)."""
    tasks = Task.objects.filter(plan=plan).order_by("code")
    task_fields = [f.attname for f in Task._meta.concrete_fields if f.name not in TASK_SKIPS]
    history = Task.history.filter(plan_id=plan.pk).order_by("code", "history_id")
    history_fields = [f.attname for f in Task.history.model._meta.concrete_fields if f.name not in HISTORY_SKIPS]
    return (
        [{**row, "parent": code} for row, code in zip(tasks.values(*task_fields), _parent_codes(tasks), strict=True)],
        [
            {**row, "parent": code}
            for row, code in zip(history.values(*history_fields), _parent_codes(history), strict=True)
        ],
    )


def _parent_codes(rows) -> list[str | None]:
    codes = dict(Task.objects.values_list("pk", "code"))
    return [codes.get(parent) for parent in rows.values_list("parent_id", flat=True)]


def test_the_admin_the_service_a_document_and_a_sheet_write_the_same_tasks_and_history(
    client, administrator, department_a
):
    plans = {
        "admin": by_admin(client, administrator, department_a),
        "service": by_service(administrator, department_a),
        "document": by_document(administrator, department_a),
        "sheet": by_sheet(administrator, department_a),
    }
    tasks, history = written(plans["service"])
    assert [(t["code"], t["parent"]) for t in tasks] == [("一", None), ("一.1", "一")]
    assert [(h["code"], h["history_type"], h["history_user_id"]) for h in history] == [
        ("一", "+", administrator.pk),
        ("一.1", "+", administrator.pk),
    ]
    for name, plan in plans.items():
        assert written(plan) == (tasks, history), name


def test_an_upsert_changes_only_what_changed_and_records_it_once(plan, department_a, staff_a):
    rows = [
        services.TaskRow(code="1", fields={"title": "甲", "kind": Task.Kind.SECTION}),
        services.TaskRow(code="1.1", parent="1", fields={"title": "乙"}, supporting=[department_a.pk]),
    ]
    first = services.task_upsert_many(plan=plan, rows=rows, user=staff_a)
    assert (first.created, first.updated) == (2, 0)
    child = Task.objects.get(plan=plan, code="1.1")
    assert child.parent_id == first.ids["1"] and list(child.supporting_departments.all()) == [department_a]
    assert (child.start_date, child.deadline) == (plan.period_start, plan.period_end)
    rows[1].fields["title"] = "乙（改）"
    rows[1].supporting = None  # left as they are
    again = services.task_upsert_many(plan=plan, rows=rows, user=staff_a)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert list(Task.history.filter(id=child.pk).values_list("history_type", "title")) == [
        ("~", "乙（改）"),
        ("+", "乙"),
    ]
    assert list(Task.objects.get(pk=child.pk).supporting_departments.all()) == [department_a]


def test_a_child_written_before_its_parent_records_its_parent_in_its_history(plan):
    with services.transaction.atomic():
        writer = services.TaskWriter(plan=plan)
        writer.write([services.TaskRow(code="1.1", parent="1", fields={"title": "子"})])
        parent = writer.write([services.TaskRow(code="1", fields={"title": "父", "kind": Task.Kind.SECTION})])["1"]
        assert writer.finish().created == 2
    child = Task.objects.get(plan=plan, code="1.1")
    assert child.parent_id == parent
    assert list(Task.history.filter(id=child.pk).values_list("history_type", "parent_id")) == [("+", parent)]


def test_a_new_task_is_written_as_cleaned_with_the_colour_of_today(plan, department_a):
    """Values typed as text are cleaned before the insert (the colour a new task is inserted with reads them
    as dates), and each task has the colour of today. That the inserted colour is the SQL rule's own is
    checked case by case in tests/plans/test_pacing.py."""
    today = timezone.localdate()
    rows = [
        services.TaskRow(
            code="1",
            fields={
                "title": "逾期",
                "lead_department_id": department_a.pk,
                "target_value": "400",
                "start_date": "2020-01-01",
                "deadline": "2020-12-31",
            },
        ),
        services.TaskRow(code="2", fields={"title": "办结", "completed_on": str(today), "deadline": "2099-12-31"}),
        services.TaskRow(code="3", fields={"title": "分类", "kind": Task.Kind.SECTION}),
    ]
    written = services.task_upsert_many(plan=plan, rows=rows)
    overdue = Task.objects.get(pk=written.ids["1"])
    assert (overdue.deadline, overdue.target_value) == (datetime.date(2020, 12, 31), 400)
    stored = {task.code: (task.colour, task.colour_on) for task in Task.objects.filter(plan=plan)}
    assert stored == {"1": ("red", today), "2": ("done", today), "3": ("", today)}
