"""Writing a read plan document into a draft Plan and its Tasks.

Idempotent: the plan is found by (bureau, year, title) and each task by its code,
so importing the same document again creates nothing and changes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from audit.models import Action
from audit.services import audit_record
from plans.models import Plan, Task
from plans.services import TaskRow, plan_create, task_upsert_many

from .extraction import ExtractedPlan, ExtractedTask
from .extraction.targets import FoundTarget


@dataclass
class DocumentImport:
    plan: Plan
    created: int
    unchanged: int
    plan_created: bool


def target_fields(target: FoundTarget | None) -> dict:
    """A read target as task fields; no target means none of them (a milestone or a section)."""
    if target is None:
        return {
            "metric": "",
            "target_value": None,
            "target_value_max": None,
            "unit": "",
            "comparator": "",
            "measure": Task.Measure.CUMULATIVE,
        }
    return {
        "metric": target.metric[:200],
        "target_value": target.value,
        "target_value_max": target.value_max,
        "unit": target.unit,
        "comparator": target.comparator,
        "measure": Task.Measure.RATIO if target.unit == "%" else Task.Measure.CUMULATIVE,
    }


def task_row_from_extraction(item: ExtractedTask, *, plan: Plan, position: int) -> TaskRow:
    quantitative = item.kind == Task.Kind.QUANTITATIVE and item.target is not None
    return TaskRow(
        code=item.code[:64],
        parent=item.parent[:64] if item.parent else None,
        fields={
            "position": position,
            "title": item.title[:500],
            "description": item.source,
            "kind": item.kind,
            "start_date": plan.period_start,
            "deadline": max(item.deadline, plan.period_start),
            "needs_review": bool(item.flags),
            "lead_department_id": item.lead_department_id,
            "owner_id": item.owner_id,
            **target_fields(item.target if quantitative else None),
        },
    )


def task_from_extraction(item: ExtractedTask, *, plan: Plan, position: int) -> Task:
    """The task a read item would be, for checking it by the model's rules before it is imported."""
    row = task_row_from_extraction(item, plan=plan, position=position)
    return Task(plan=plan, code=row.code, **row.fields)


@transaction.atomic
def plan_import_document(
    *,
    extracted: ExtractedPlan,
    title: str | None = None,
    source_name: str = "",
    created_by=None,
    skip_codes: frozenset[str] = frozenset(),
) -> DocumentImport:
    """Create the draft plan (or find it) and add the tasks it does not have yet, parents first."""
    title = (title or extracted.title)[:200]
    named = ((gettext("title"), title), (gettext("issuing bureau"), extracted.bureau))
    missing = [name for name, value in named if not value]
    if missing:
        raise ValidationError(
            gettext("The document does not state its %(fields)s: enter it before importing.")
            % {"fields": "、".join(missing)}
        )
    plan = Plan.objects.select_for_update().filter(bureau=extracted.bureau, year=extracted.year, title=title).first()
    plan_created = plan is None
    if plan is None:
        # A plan of several years (到2027年…) runs until its last deadline.
        last = max((item.deadline for item in extracted.tasks), default=None)
        plan = plan_create(
            period_end=max(last, Plan.default_period(extracted.year)[1]) if last else None,
            title=title,
            bureau=extracted.bureau,
            year=extracted.year,
            source=Plan.Source.DOCUMENT,
            source_text=extracted.text,
            source_name=source_name,
            created_by=created_by,
        )
    existing = set(plan.tasks.values_list("code", flat=True))
    wanted = [item for item in extracted.tasks if item.code not in skip_codes]
    # Only the tasks the plan does not have yet: importing the same document again changes nothing.
    new = [
        task_row_from_extraction(item, plan=plan, position=position)
        for position, item in enumerate(wanted, start=1)
        if item.code[:64] not in existing
    ]
    task_upsert_many(plan=plan, rows=new, user=created_by)
    audit_record(action=Action.IMPORT, obj=plan, actor=created_by, detail=f"document tasks new={len(new)}")
    return DocumentImport(plan=plan, created=len(new), unchanged=len(wanted) - len(new), plan_created=plan_created)
