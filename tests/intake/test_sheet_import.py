"""Importing a task breakdown sheet: dry run, all-or-nothing, re-import in place, bad files."""

import datetime
import io
import json
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from intake.sheet_import import plan_import_sheet
from intake.sheets.reading import SheetReadError, read_rows
from intake.sheets.rows import read_task_rows
from plans.models import Department, Plan, Task
from tests.factories import ProgressUpdateFactory

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "jiaxing_2025_breakdown.xlsx"  # from ../shared/samples
HEADER = ["序号", "重点任务", "具体目标", "责任单位", "配合单位", "责任人", "完成时限", "备注"]


def xlsx(rows, title="2025年重点工作任务分解表") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_sheet(data: bytes, name="tasks.xlsx", **options):
    rows = read_task_rows(read_rows(data, name), plan_year=2025)
    return plan_import_sheet(rows=rows, plan_year=2025, plan_title="2025年重点工作", **options)


@pytest.fixture
def departments(db):
    return [Department.objects.create(name=name) for name in ("高新技术科", "成果转化科", "政策法规科")]


ROWS = [
    ["一、实施企业主体壮大行动"],
    [1, "加强科技企业培育", "新认定高新技术企业400家以上", "高新技术科", "成果转化科", "", "2025年12月底前", ""],
    [2, "推进成果转化", "技术合同成交额突破92亿元", "成果转化科", "", "", "2025年第三季度", ""],
    [3, "完善政策体系", "完成制定《科创平台绩效评价办法》", "政策法规科", "", "", "6月底前", ""],
]


def test_a_dry_run_reports_each_row_and_writes_nothing(departments):
    result = import_sheet(xlsx(ROWS))
    assert [(r.row.row, r.action, r.row.code) for r in result.rows] == [
        (3, "new", "一"),
        (4, "new", "一.1"),
        (5, "new", "一.2"),
        (6, "new", "一.3"),
    ]
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_applying_writes_the_tree_with_targets_departments_and_deadlines(departments):
    result = import_sheet(xlsx(ROWS), dry_run=False)
    assert result.written and result.totals["new"] == 4
    plan = Plan.objects.get()
    assert plan.source == Plan.Source.SPREADSHEET
    task = Task.objects.get(code="一.1")
    assert (task.parent.code, task.target_value, task.unit, task.comparator) == ("一", 400, "家", ">=")
    assert task.lead_department.name == "高新技术科"
    assert list(task.supporting_departments.values_list("name", flat=True)) == ["成果转化科"]
    assert Task.objects.get(code="一.2").deadline == datetime.date(2025, 9, 30)
    milestone = Task.objects.get(code="一.3")
    assert (milestone.kind, milestone.deadline) == ("milestone", datetime.date(2025, 6, 30))
    assert task.history.count() == 1


def test_reimporting_an_edited_sheet_updates_in_place_and_keeps_progress(departments, staff_a):
    import_sheet(xlsx(ROWS), dry_run=False)
    task = Task.objects.get(code="一.1")
    ProgressUpdateFactory(task=task, reported_by=staff_a, value=Decimal(120))
    edited = [list(row) for row in ROWS]
    edited[1][2] = "新认定高新技术企业450家以上"
    result = import_sheet(xlsx(edited), dry_run=False, keep_rows=True)
    assert [r.action for r in result.rows] == ["unchanged", "update", "unchanged", "unchanged"]
    task.refresh_from_db()
    assert (task.target_value, task.updates.count(), Task.objects.count()) == (450, 1, 4)
    assert task.history.count() == 2  # the update is on record; unchanged rows wrote nothing
    latest = task.history.order_by("-history_id").first()
    assert (latest.history_type, latest.target_value, latest.history_date) == ("~", 450, task.updated_at)
    assert Task.objects.get(code="一.2").history.count() == 1


def test_one_bad_row_means_nothing_is_written_unless_bad_rows_are_skipped(departments):
    bad = [list(row) for row in ROWS]
    bad[2][6] = "2025-02-30"
    result = import_sheet(xlsx(bad), dry_run=False)
    assert not result.written and not Task.objects.exists()
    error_row = next(r for r in result.rows if r.action == "error")
    assert error_row.row.row == 5 and "完成时限" in error_row.row.errors[0] and "2025-02-30" in error_row.row.errors[0]
    result = import_sheet(xlsx(bad), dry_run=False, skip_errors=True)
    assert result.written and set(Task.objects.values_list("code", flat=True)) == {"一", "一.1", "一.3"}
    assert result.totals["skipped"] == 1


def test_duplicate_codes_and_negative_targets_name_their_rows(departments):
    rows = [*ROWS, [1, "重复", "10项", "高新技术科", "", "", "", ""], [4, "负数", "-5家", "高新技术科", "", "", "", ""]]
    result = import_sheet(xlsx(rows))
    errors = {r.row.row: r.row.errors for r in result.rows if r.action == "error"}
    assert "already used on row 4" in errors[7][0]
    assert "negative" in errors[8][0] and "具体目标" in errors[8][0]


def test_unknown_departments_and_owners_are_listed_and_created_only_on_request(departments):
    rows = [[1, "新任务", "10项", "新成立科", "", "王小明", "", ""]]
    result = import_sheet(xlsx(rows), dry_run=False)
    assert (result.unknown_departments, result.unknown_owners, result.written) == (["新成立科"], ["王小明"], False)
    assert not Department.objects.filter(name="新成立科").exists()
    result = import_sheet(xlsx(rows), dry_run=False, create_unknown=True)
    task = Task.objects.get(code="1")
    assert (task.lead_department.name, task.owner.full_name) == ("新成立科", "王小明")
    assert not task.owner.has_usable_password()
    assert task.owner.departments.filter(name="新成立科").exists()


def test_csv_in_gbk_reads_like_xlsx(departments):
    text = "\n".join([",".join(HEADER), "1,加强科技企业培育,新认定高新技术企业400家以上,高新技术科,,,2025.12,"])
    rows = read_task_rows(read_rows(text.encode("gbk"), "tasks.csv"), plan_year=2025)
    assert (rows[0].code, rows[0].target.value, rows[0].deadline) == ("1", 400, datetime.date(2025, 12, 31))


def test_an_english_header_set_is_understood(departments):
    book = openpyxl.Workbook()
    book.active.append(["No.", "Task", "Target", "Lead department", "Owner", "Deadline"])
    book.active.append([1, "Grow firms", "400家以上", "高新技术科", "", "2025-10-31"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_task_rows(read_rows(buffer.getvalue(), "t.xlsx"), plan_year=2025)
    assert (rows[0].department, rows[0].deadline) == ("高新技术科", datetime.date(2025, 10, 31))


def test_a_formula_looking_cell_is_stored_as_text_never_evaluated(departments):
    text = ",".join(HEADER) + "\n1,=1+1,@SUM(A1),高新技术科,,,,\n"
    rows = read_task_rows(read_rows(text.encode(), "t.csv"), plan_year=2025)
    plan_import_sheet(rows=rows, plan_year=2025, plan_title="p", dry_run=False)
    task = Task.objects.get(code="1")
    assert (task.title, task.description, task.kind) == ("=1+1", "@SUM(A1)", "milestone")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "t.xlsx", "empty"),
        (b"%PDF-1.4 not a sheet", "t.pdf", "not a spreadsheet"),
        (b"PK\x03\x04broken", "t.xlsx", "zip package is broken"),
        (b"\x00\x01binary", "t.csv", "binary"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(data, name, message):
    with pytest.raises(SheetReadError, match=message):
        read_rows(data, name)


def test_a_refused_file_is_named_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(SheetReadError, match="^“t.pdf”不是电子表格"):
            read_rows(b"%PDF-1.4", "t.pdf")
        with pytest.raises(SheetReadError, match="^“t.xlsx”是空文件：请上传 .xlsx、.xls 或 .csv 格式的任务分解表。$"):
            read_rows(b"", "t.xlsx")


def test_an_xlsx_zip_bomb_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (300 * 1024 * 1024) + b"</a>")
    with pytest.raises(SheetReadError, match="unsafe"):
        read_rows(buffer.getvalue(), "bomb.xlsx")


def test_a_sheet_without_a_header_is_refused_with_the_expected_columns():
    book = openpyxl.Workbook()
    book.active.append(["a", "b", "c"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SheetReadError, match="序号, 重点任务"):
        read_task_rows(read_rows(buffer.getvalue(), "t.xlsx"), plan_year=2025)


def test_import_tasks_json_on_the_sample_sheet():
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:  # unknown departments: nothing written, status 1
        call_command("import_tasks", str(SAMPLE), "--plan-year", "2025", "--json", stdout=out)
    assert exit_status.value.code == 1
    data = json.loads(out.getvalue())
    assert data["totals"]["new"] == 16 and not data["written"]
    leaf = next(row for row in data["rows"] if row["code"] == "四.12")
    assert leaf["target"] == {"value": 8.0, "value_max": 10.0, "unit": "场", "comparator": "range"}
    assert (leaf["row"], leaf["deadline"], leaf["department"], leaf["owner"]) == (
        19,
        "2025-10-31",
        "成果转化处",
        "吴九",
    )


def test_import_tasks_dry_run_exits_zero_when_every_row_is_good():
    out = StringIO()
    call_command("import_tasks", str(SAMPLE), "--plan-year", "2025", "--dry-run", "--json", stdout=out)
    assert json.loads(out.getvalue())["totals"]["error"] == 0
    assert not Task.objects.exists()


def test_progress_is_reported_while_checking_and_writing(departments):
    rows = [["一、大类"]] + [[i, f"任务{i}", "10项", "高新技术科", "", "", "", ""] for i in range(1, 2501)]
    seen = []
    import_sheet(xlsx(rows), dry_run=False, progress=lambda stage, done, total: seen.append((stage, done, total)))
    checks = [done for stage, done, _ in seen if stage == "check"]
    writes = [(done, total) for stage, done, total in seen if stage == "write"]
    assert checks == [1000, 2000, 2501]
    assert writes[-1] == (2501, 2501) and all(a[0] < b[0] for a, b in zip(writes, writes[1:], strict=False))


def test_the_command_draws_a_progress_bar_on_a_terminal(departments, tmp_path):
    class Terminal(StringIO):
        def isatty(self):
            return True

    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx(ROWS))
    err = Terminal()
    call_command(
        "import_tasks", str(path), "--plan-year", "2025", "--plan", "2025年重点工作", stdout=StringIO(), stderr=err
    )
    assert "写入 write [##############################] 4/4" in err.getvalue()
    quiet = StringIO()  # not a terminal: no bar
    call_command(
        "import_tasks", str(path), "--plan-year", "2025", "--plan", "2025年重点工作", stdout=StringIO(), stderr=quiet
    )
    assert "检查" not in quiet.getvalue()


def test_a_sheet_without_a_supporting_column_leaves_supporting_departments_alone(departments):
    import_sheet(xlsx(ROWS), dry_run=False)
    task = Task.objects.get(code="一.1")
    assert list(task.supporting_departments.values_list("name", flat=True)) == ["成果转化科"]
    book = openpyxl.Workbook()
    book.active.append(["序号", "重点任务", "具体目标", "责任单位", "完成时限"])
    book.active.append(["一、实施企业主体壮大行动"])
    book.active.append([1, "加强科技企业培育", "新认定高新技术企业500家以上", "高新技术科", "2025年12月底前"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_sheet(buffer.getvalue(), dry_run=False, keep_rows=True)
    assert [r.action for r in result.rows] == ["unchanged", "update"]
    assert list(task.supporting_departments.values_list("name", flat=True)) == ["成果转化科"]


@pytest.fixture
def small_chunks(monkeypatch):
    """Two rows a chunk, so that a handful of rows crosses several chunks."""
    from intake import sheet_import

    monkeypatch.setattr(sheet_import, "CHUNK_ROWS", 2)


def test_a_bad_row_in_a_later_chunk_undoes_the_chunks_already_written(departments, small_chunks):
    rows = [*ROWS, [4, "新任务", "10项", "新成立科", "", "王小明", "2025-02-30", ""]]
    result = import_sheet(xlsx(rows), dry_run=False, create_unknown=True)
    assert not result.written and result.plan is None
    assert (result.totals["new"], result.totals["error"]) == (4, 1)
    assert [(r.row.row, r.action) for r in result.rows] == [(7, "error")]
    assert "完成时限" in result.rows[0].row.errors[0]
    # The first chunks' tasks, the plan and the names created on the way are all gone.
    assert not Plan.objects.exists() and not Task.objects.exists() and not Task.history.exists()
    assert not Department.objects.filter(name="新成立科").exists()


def test_a_duplicate_code_is_found_across_chunks(departments, small_chunks):
    rows = [*ROWS, [9, "其他", "", "高新技术科", "", "", "", ""], [1, "重复", "10项", "高新技术科", "", "", "", ""]]
    result = import_sheet(xlsx(rows))
    errors = {r.row.row: r.row.errors for r in result.rows if r.action == "error"}
    assert list(errors) == [8] and "number 一.1 is already used on row 4" in errors[8][0]


def test_a_row_listed_above_its_parent_in_another_chunk_still_hangs_from_it(departments, small_chunks):
    rows = [
        ["二.1.a", "子任务", "10项", "高新技术科", "", "", "", ""],
        ["二.9", "其他", "5项", "高新技术科", "", "", "", ""],
        ["二.1", "父任务", "", "高新技术科", "", "", "", ""],
    ]
    result = import_sheet(xlsx(rows), dry_run=False)
    assert result.written and result.totals["new"] == 3
    child = Task.objects.get(code="二.1.a")
    assert (child.parent.code, child.parent.kind) == ("二.1", "section")
    assert child.history.get().parent_id == child.parent_id  # its history row records the parent too


def test_a_row_that_gains_a_parent_further_down_in_another_chunk_gets_one_history_row_with_it(
    departments, small_chunks
):
    rows = [
        ["二.1.a", "子任务", "10项", "高新技术科", "", "", "", ""],
        ["二.9", "其他", "5项", "高新技术科", "", "", "", ""],
    ]
    import_sheet(xlsx(rows), dry_run=False)
    rows.append(["二.1", "父任务", "", "高新技术科", "", "", "", ""])
    result = import_sheet(xlsx(rows), dry_run=False)
    assert (result.totals["update"], result.totals["new"], result.totals["unchanged"]) == (1, 1, 1)
    child = Task.objects.get(code="二.1.a")
    assert child.parent.code == "二.1" and child.history.count() == 2
    assert child.history.first().parent_id == child.parent_id


def test_reimporting_across_chunks_tells_new_updated_and_unchanged_rows(departments, small_chunks):
    import_sheet(xlsx(ROWS), dry_run=False)
    edited = [list(row) for row in ROWS] + [[4, "新增任务", "5项", "政策法规科", "", "", "", ""]]
    edited[3][6] = "2025年11月底前"
    result = import_sheet(xlsx(edited))
    assert [r.action for r in result.rows] == ["unchanged", "unchanged", "unchanged", "update", "new"]
    result = import_sheet(xlsx(edited), dry_run=False)
    assert result.totals == {"new": 1, "update": 1, "unchanged": 3, "error": 0, "skipped": 0}
    assert result.rows == []  # an applied import keeps no rows but those with errors
    assert Task.objects.get(code="一.3").deadline == datetime.date(2025, 11, 30)
    assert Task.objects.get(code="一.4").parent.code == "一"


def test_skipped_rows_are_counted_and_kept_when_the_rest_is_written(departments, small_chunks):
    bad = [list(row) for row in ROWS]
    bad[3][6] = "2025-02-30"
    result = import_sheet(xlsx(bad), dry_run=False, skip_errors=True)
    assert result.written and result.totals["skipped"] == 1 and result.totals["new"] == 3
    assert [(r.row.row, r.action) for r in result.rows] == [(6, "skipped")]
    assert set(Task.objects.values_list("code", flat=True)) == {"一", "一.1", "一.2"}


def test_an_applied_import_keeps_the_first_rows_with_errors_and_counts_the_rest(departments, tmp_path, monkeypatch):
    from intake import sheet_import

    monkeypatch.setattr(sheet_import, "MAX_KEPT_ERRORS", 1)
    rows = [[i, f"任务{i}", "10项", "高新技术科", "", "", "2025-02-30", ""] for i in range(1, 4)]
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx(rows))
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_tasks", str(path), "--plan-year", "2025", stdout=StringIO(), stderr=err)
    assert "row 3: 完成时限" in err.getvalue() and "row 4" not in err.getvalue()
    assert "and 2 more rows with errors" in err.getvalue() and not Task.objects.exists()


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_as_written(departments):
    # On PostgreSQL rows go in through COPY, whose text format escapes these characters.
    title = "推进\t成果\\转化\n（第二批）"
    rows = [["一、实施企业主体壮大行动"], [1, title, "技术合同成交额突破92亿元", "成果转化科", "", "", "", ""]]
    import_sheet(xlsx(rows), dry_run=False)
    edited = [rows[0], [1, title, "技术合同成交额突破93亿元", "成果转化科", "", "", "", ""]]
    assert import_sheet(xlsx(edited), dry_run=False).totals["update"] == 1
    task = Task.objects.get(code="一.1")
    assert (task.title, task.target_value, task.parent.code) == (title, Decimal("93"), "一")
    assert task.history.first().title == title


def test_an_import_leaves_no_objects_frozen_out_of_garbage_collection_even_when_it_fails(departments):
    import gc

    import_sheet(xlsx(ROWS), dry_run=False)
    assert gc.get_freeze_count() == 0

    def interrupted(stage, done, total):
        raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        import_sheet(xlsx(ROWS), dry_run=False, progress=interrupted)
    assert gc.get_freeze_count() == 0


def test_a_task_deleted_while_its_sheet_is_imported_fails_the_import_whole(departments, monkeypatch):
    from plans.task_writes import TaskWriter

    import_sheet(xlsx(ROWS), dry_run=False)
    write = TaskWriter.write

    def delete_one_then_write(writer, rows):
        Task.objects.filter(code="一.2").delete()  # as if someone deleted it between the check and the write
        return write(writer, rows)

    monkeypatch.setattr(TaskWriter, "write", delete_one_then_write)
    edited = [row if row[0] != 2 else [2, "推进成果转化", "技术合同成交额突破95亿元", *row[3:]] for row in ROWS]
    with pytest.raises(ValidationError, match="Tasks 一.2 were deleted while they were being written"):
        import_sheet(xlsx(edited), dry_run=False)
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="任务 一.2 在写入过程中被删除"):
        import_sheet(xlsx(edited), dry_run=False)
    # Nothing of the second import stayed, the deletion included: it ran inside the import's transaction.
    assert Task.objects.get(code="一.2").target_value == Decimal("92")
