"""Breakdown sheets laid out as bureaus lay them out: categories, notes, headers, several sheets."""

import datetime

import pytest

from intake.sheet_import import plan_import_sheet
from intake.sheets.names import split_departments, split_people
from intake.sheets.reading import SheetReadError, open_task_sheet
from plans.models import Task
from tests.intake.sheet_workbooks import HEADER, by_row, rows_of, workbook


@pytest.mark.parametrize("column", ["A", "B", "C"])
def test_a_merged_category_row_in_any_column_is_a_section_the_rows_below_hang_from(column):
    start = "ABC".index(column)
    category = [""] * start + ["(一)实施科创改革攻坚行动"]
    data = workbook(
        ("表", [HEADER, category, [1, "推进改革", "10个", "高新科", "张三", "12月底前"]]),
        merges=[(0, f"{column}2:F2")],
    )
    rows = rows_of(data)
    assert rows[0].is_category and rows[0].code == "(一)" and rows[0].title == "实施科创改革攻坚行动"
    assert rows[1].parent == "(一)" and rows[1].code == "(一).1" and not rows[1].errors
    assert rows[1].deadline == datetime.date(2025, 12, 31)


def test_categories_written_as_parts_chapters_sections_and_plain_words_nest_by_style():
    data = workbook(
        (
            "表",
            [
                ["2025年任务分解表"],
                HEADER,
                ["第一部分 创新主体"],
                ["一、企业培育"],
                ["（一）科技型企业"],
                [1, "培育科技型中小企业", "1000家以上", "高新科", "", "9月"],
                ["（二）高新技术企业"],
                [2, "培育高企", "400家", "高新科", "", "三季度"],
                ["二、平台建设"],
                [3, "建设实验室", "1家", "", "", "上半年"],
                ["第二部分 创新生态"],
                ["人才引育"],
                [4, "引育人才", "30人以上", "", "", "年底前"],
            ],
        )
    )
    rows = by_row(rows_of(data))
    assert [rows[n].code for n in (3, 4, 5, 7, 9, 11, 12)] == [
        "第一部分",
        "第一部分.一",
        "第一部分.一.(一)",
        "第一部分.一.(二)",
        "第一部分.二",
        "第二部分",
        "第二部分.一",
    ]
    assert rows[6].parent == "第一部分.一.(一)" and rows[8].parent == "第一部分.一.(二)"
    assert rows[10].parent == "第一部分.二" and rows[13].parent == "第二部分.一"
    assert rows[12].title == "人才引育" and rows[12].is_category
    deadlines = [rows[n].deadline for n in (6, 8, 10, 13)]
    assert deadlines == [
        datetime.date(2025, 9, 30),
        datetime.date(2025, 9, 30),
        datetime.date(2025, 6, 30),
        datetime.date(2025, 12, 31),
    ]


def test_a_code_cell_with_a_chinese_number_beside_a_title_is_a_category():
    rows = rows_of(workbook(("表", [HEADER, ["一", "科创改革"], [1, "推进改革", "10个", "", "", ""]])))
    assert rows[0].is_category and rows[0].code == "一" and rows[0].title == "科创改革"
    assert rows[1].code == "一.1" and rows[1].parent == "一"


def test_notes_under_the_table_and_every_row_after_them_are_skipped(db):
    data = workbook(
        (
            "表",
            [
                HEADER,
                [1, "推进改革", "10个", "", "", ""],
                ["注：1.完成时限为年度内的，以12月底为准。"],
                ["2.责任单位排在第一位的为牵头单位。", "", "", "见附件"],
                ["填报说明"],
                ["制表人：王五", "", "审核人：赵六"],
            ],
        )
    )
    rows = rows_of(data)
    assert [row.skipped for row in rows] == ["", "note", "note", "note", "note"]
    result = plan_import_sheet(rows=rows, plan_year=2025, dry_run=True)
    assert result.totals["skipped"] == 4 and result.totals["error"] == 0 and result.totals["new"] == 1


def test_a_two_row_header_with_a_merged_group_cell_is_read_as_one():
    data = workbook(
        (
            "表",
            [
                ["序号", "重点任务", "具体目标", "完成时限", "", "责任单位"],
                ["", "", "", "时间节点", "阶段目标", ""],
                [1, "建设平台", "2家", "2025年11月", "6月底前完成选址", "高新科"],
            ],
        ),
        merges=[(0, "D1:E1"), (0, "A1:A2"), (0, "B1:B2"), (0, "C1:C2"), (0, "F1:F2")],
    )
    rows = rows_of(data)
    assert len(rows) == 1 and not rows[0].errors
    assert rows[0].deadline == datetime.date(2025, 11, 30) and rows[0].note == "6月底前完成选址"
    assert rows[0].department == "高新科" and rows[0].target.value == 2


def test_the_header_is_found_on_row_4_below_the_title_rows():
    data = workbook(
        (
            "表",
            [
                ["嘉兴市科技局2025年重点工作任务分解表"],
                ["填报单位：办公室"],
                [],
                HEADER,
                [1, "任务", "3项", "", "", ""],
            ],
        )
    )
    rows = rows_of(data)
    assert [row.row for row in rows] == [5] and rows[0].target.value == 3


def test_the_sheet_with_the_header_is_chosen_and_the_others_are_named():
    data = workbook(
        ("说明", [["本表由各科室填报"], ["请于3月底前报送"]]), ("任务分解", [HEADER, [1, "任务", "3项", "", "", ""]])
    )
    sheet = open_task_sheet(data, "t.xlsx")
    assert sheet.sheet == "任务分解" and sheet.sheet_names == ["说明", "任务分解"]
    assert open_task_sheet(data, "t.xlsx", sheet="任务分解").sheet == "任务分解"


def test_a_sheet_without_a_header_and_an_empty_workbook_are_refused_by_name():
    with pytest.raises(SheetReadError, match=r"No header row was found in the first 10 rows of “表”"):
        open_task_sheet(workbook(("表", [["推进改革", "10个"], [1, 2]])), "t.xlsx")
    with pytest.raises(SheetReadError, match="Every sheet of “t.xlsx” is empty"):
        open_task_sheet(workbook(("一", []), ("二", [])), "t.xlsx")


def test_a_department_merged_down_over_several_rows_belongs_to_each_of_them():
    data = workbook(
        (
            "表",
            [
                HEADER,
                [1, "甲", "3项", "高新科", "", ""],
                [2, "乙", "4项", "", "", ""],
                [3, "丙", "5项", "成果科", "", ""],
            ],
        ),
        merges=[(0, "D2:D3")],
    )
    assert [row.department for row in rows_of(data)] == ["高新科", "高新科", "成果科"]


def test_a_number_merged_down_is_one_task_on_several_lines_each_with_its_own_code():
    data = workbook(
        ("表", [HEADER, [4, "加强科技企业培育", "1000家", "", "", ""], ["", "", "400家", "", "", ""]]),
        merges=[(0, "A2:A3"), (0, "B2:B3")],
    )
    rows = rows_of(data)
    assert [row.code for row in rows] == ["4", "4-2"] and rows[1].title == "加强科技企业培育"
    assert rows[1].target.value == 400 and not rows[1].errors


def test_several_departments_in_one_cell_make_the_first_or_the_marked_one_lead():
    assert split_departments("高新科、成果科/人才科") == ("高新科", ["成果科", "人才科"])
    assert split_departments("牵头：高新科；配合：成果科，人才科") == ("高新科", ["成果科", "人才科"])
    assert split_departments("成果科、高新科（牵头）") == ("高新科", ["成果科"])
    assert split_people("张三（科长） 13800000000、李四") == "张三"


def test_the_sample_sheet_imports_with_nothing_ticked_and_keeps_its_categories(db):
    from pathlib import Path

    from tests.factories import DepartmentFactory

    for name in ("政策法规科", "规划资金科", "高新技术科", "创新平台科", "对外合作科", "人才科", "成果转化科"):
        DepartmentFactory(name=name)
    data = (Path(__file__).resolve().parents[1] / "data" / "jiaxing_2025_breakdown.xlsx").read_bytes()
    rows = rows_of(data)
    result = plan_import_sheet(rows=rows, plan_year=2025, dry_run=False, create_unknown=False, keep_rows=True)
    # The owners (张三 …) have no accounts: they are the only unknown names, so nothing is written yet.
    assert result.unknown_departments == [] and not result.written
    result = plan_import_sheet(
        rows=rows_of(data), plan_year=2025, dry_run=False, resolutions=dict.fromkeys(result.unknown_owners, "none")
    )
    assert result.written and result.totals == {"new": 16, "update": 0, "unchanged": 0, "error": 0, "skipped": 0}
    sections = Task.objects.filter(kind=Task.Kind.SECTION).order_by("position")
    assert list(sections.values_list("code", "title")) == [
        ("一", "实施科创改革攻坚行动"),
        ("二", "实施企业主体壮大行动"),
        ("三", "实施科创平台提能行动"),
        ("四", "实施创新生态优化行动"),
    ]
    task = Task.objects.get(code="二.4")
    assert task.parent.code == "二" and task.lead_department.name == "高新技术科" and task.target_value == 1000


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("12月底前", datetime.date(2023, 12, 31)),
        ("9月", datetime.date(2023, 9, 30)),
        ("三季度", datetime.date(2023, 9, 30)),
        ("年底前", datetime.date(2023, 12, 31)),
        ("上半年", datetime.date(2023, 6, 30)),
        ("6月30日前", datetime.date(2023, 6, 30)),
        ("每季度", datetime.date(2023, 12, 31)),
        ("6月底前完成选址，12月底前投用", datetime.date(2023, 12, 31)),
        ("2024年3月", datetime.date(2024, 3, 31)),
    ],
)
def test_a_deadline_without_a_year_takes_the_plan_year(written, day):
    from intake.sheets.cells import parse_deadline

    assert parse_deadline(written, plan_year=2023) == day


def test_sub_items_numbered_1_in_brackets_hang_from_the_task_above_them():
    data = workbook(
        (
            "表",
            [
                HEADER,
                ["一、企业培育"],
                [1, "培育科技企业", "", "高新科牵头，成果科配合", "", ""],
                ["(1)", "科技型中小企业", "1000家", "", "", ""],
                ["（2）", "高新技术企业", "400家", "", "", ""],
                [2, "建设平台", "2家", "各县（市、区）科技局、高新科", "", ""],
            ],
        )
    )
    rows = by_row(rows_of(data))
    assert rows[3].code == "一.1" and rows[3].has_children and rows[3].supporting == ["成果科"]
    assert [rows[n].code for n in (4, 5)] == ["一.1.(1)", "一.1.(2)"]
    assert rows[4].parent == rows[5].parent == "一.1"
    assert rows[6].code == "一.2" and rows[6].department == "各县（市、区）科技局"
    assert rows[6].supporting == ["高新科"]


def test_a_category_column_merged_down_opens_a_section_for_each_of_its_values():
    header = ["类别", "序号", "工作任务", "具体内容", "责任科室", "责任领导", "责任人", "完成时间"]
    data = workbook(
        (
            "表",
            [
                header,
                ["科技创新", 1, "培育企业", "新认定高企400家", "高新科", "李局", "王五", "12月"],
                ["", 2, "建设平台", "新建实验室2家", "平台科", "李局", "赵六", "11月"],
                ["人才引育", 3, "引进人才", "引育人才30人", "人才科", "王局", "周八", "10月"],
            ],
        ),
        merges=[(0, "A2:A3")],
    )
    rows = rows_of(data)
    assert [(row.code, row.parent, row.is_category) for row in rows] == [
        ("一", None, True),
        ("一.1", "一", False),
        ("一.2", "一", False),
        ("二", None, True),
        ("二.3", "二", False),
    ]
    assert rows[0].title == "科技创新" and rows[3].title == "人才引育"
    # 具体内容 beside 工作任务 holds the target; 责任人, not 责任领导, is the owner.
    assert rows[1].target.value == 400 and rows[1].owner == "王五" and rows[2].deadline == datetime.date(2025, 11, 30)


def test_a_category_written_in_the_number_column_or_beside_a_department_is_still_a_category():
    data = workbook(
        (
            "表",
            [
                HEADER,
                ["一、科技创新", "", "", "高新科"],
                [1, "培育企业", "400家", "高新科", "", "12月"],
                ["二", "平台建设", "", "平台科"],
                [2, "建设平台", "2家", "平台科", "", "11月"],
                ["三", "人才工作", "引育人才30人", "人才科", "", "10月"],
            ],
        )
    )
    rows = rows_of(data)
    assert [(row.code, row.is_category) for row in rows] == [
        ("一", True),
        ("一.1", False),
        ("二", True),
        ("二.2", False),
        ("二.三", False),  # a row numbered 三 with a target and a deadline is a task
    ]
    assert rows[0].title == "科技创新" and rows[2].title == "平台建设" and rows[4].target.value == 30
