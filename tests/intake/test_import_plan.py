import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from plans.models import Plan, Task
from tests.intake.extraction_scoring import SEEDS

pytestmark = pytest.mark.django_db
SEED_002 = SEEDS / "002_db6da37ce7d33ff1.txt"


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_plan_creates_a_draft_plan_with_its_task_tree():
    run("import_plan", str(SEED_002))
    plan = Plan.objects.get()
    assert (plan.title, plan.bureau, plan.year, plan.state) == (
        "嘉兴市科技局2025年工作计划",
        "嘉兴市科技局",
        2025,
        "draft",
    )
    assert plan.source == Plan.Source.DOCUMENT and "主要目标" in plan.source_text
    task = plan.tasks.get(code="二.4.b")
    assert (task.parent.code, task.kind, task.target_value, task.unit, task.comparator) == (
        "二.4",
        "quantitative",
        400,
        "家",
        ">=",
    )
    assert plan.tasks.get(code="主要目标.1").measure == Task.Measure.RATIO
    codes = list(plan.tasks.values_list("code", flat=True))
    assert codes[:2] == ["主要目标", "主要目标.1"]  # document order


def test_importing_the_same_document_again_changes_nothing():
    run("import_plan", str(SEED_002))
    before = list(Task.objects.values_list("pk", "code", "title", "parent_id", "updated_at"))
    output = run("import_plan", str(SEED_002))
    assert "0 tasks created, 32 already there" in output
    assert list(Task.objects.values_list("pk", "code", "title", "parent_id", "updated_at")) == before
    assert Plan.objects.count() == 1


def test_a_plan_title_can_be_given():
    run("import_plan", str(SEED_002), "--plan-title", "2025年重点工作")
    assert Plan.objects.get().title == "2025年重点工作"


def test_uncertain_readings_arrive_flagged_for_review():
    run("import_plan", str(SEEDS / "004_ac3e7e1de5ce8485.txt"))
    flagged = Task.objects.filter(needs_review=True)
    assert flagged.exists() and all(task.unit == "" for task in flagged)


def test_a_bad_document_writes_nothing_and_says_why(tmp_path):
    bad = tmp_path / "plan.docx"
    bad.write_bytes(b"PK\x03\x04broken")
    with pytest.raises(CommandError, match="not a readable .docx"):
        run("import_plan", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_plan", str(tmp_path / "missing.txt"))
    with translation.override("zh-hans"), pytest.raises(CommandError, match="无法读取 .*missing.txt：文件不存在。"):
        run("import_plan", str(tmp_path / "missing.txt"))
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_extract_plan_prints_the_contract_json_and_writes_nothing():
    data = json.loads(run("extract_plan", str(SEED_002), "--json"))
    assert set(data["plan"]) == {"title", "year", "bureau"}
    first_target = next(task for task in data["tasks"] if task["target"])
    assert {"code", "parent", "title", "deadline", "target"} <= set(first_target)
    assert set(first_target["target"]) >= {"value", "value_max", "unit", "comparator", "metric"}
    assert {task["target"]["comparator"] for task in data["tasks"] if task["target"]} <= {
        ">=",
        ">",
        "=",
        "~",
        "<=",
        "range",
    }
    assert not Plan.objects.exists()


def test_every_seed_imports_and_activates_once_departments_are_assigned(department_a):
    for path in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt")):
        run("import_plan", str(path))
    assert Plan.objects.count() == 5
    from plans import services

    for plan in Plan.objects.all():
        plan.tasks.update(lead_department=department_a)
        services.plan_change_state(plan=plan, state=Plan.State.ACTIVE)
    assert set(Plan.objects.values_list("state", flat=True)) == {"active"}
