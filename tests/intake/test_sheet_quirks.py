"""Breakdown sheets with several of a bureau's habits at once, read end to end."""

import io

import openpyxl

from tests.intake.sheet_workbooks import HEADER, rows_of, workbook


def test_a_bureau_sheet_with_every_quirk_reads_right_on_the_command_line(db, tmp_path):
    import json

    from django.core.management import call_command

    from tests.factories import DepartmentFactory

    for name in ("高新技术科", "成果转化科", "平台与基础研究科"):
        DepartmentFactory(name=name)
    data = workbook(
        ("封面", [["嘉兴市科技局"], ["2025年"]]),
        (
            "分解表",
            [
                ["附件1"],
                ["市科技局2025年重点工作任务分解表"],
                ["序号", "重点工作", "目标任务", "责任单位", "", "完成时限", ""],
                ["", "", "", "牵头", "配合", "时间节点", "阶段目标"],
                ["(一)实施企业主体壮大行动"],
                [
                    1,
                    "培育科技企业",
                    "新认定高新技术企业400家以上",
                    "市科技局高新科",
                    "成果科",
                    "12月底前",
                    "6月底前完成申报",
                ],
                [2, "建设研发机构", "新建省级研发中心30家", "高新技术科（牵头）", "", "三季度", ""],
                ["（二）实施平台提能行动"],
                [3, "建设实验室", "争创省重点实验室1家", "平台科", "", "年底前", ""],
                ["注：1.完成时限未注明年份的均为2025年。"],
                ["2.牵头单位负责汇总报送。"],
            ],
        ),
        merges=[(1, "A5:G5"), (1, "A8:G8"), (1, "D3:E3"), (1, "F3:G3"), (1, "A3:A4"), (1, "B3:B4"), (1, "C3:C4")],
    )
    path = tmp_path / "分解表.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_tasks", str(path), "--plan-year", "2025", "--dry-run", "--json", stdout=out)
    result = json.loads(out.getvalue())
    rows = {row["row"]: row for row in result["rows"]}
    assert result["sheet"] == "分解表" and result["totals"]["error"] == 0
    assert [rows[n]["kind"] for n in (5, 6, 7, 8, 9)] == ["category", "task", "task", "category", "task"]
    assert rows[6]["parent"] == "(一)" and rows[9]["parent"] == "(二)"
    assert rows[6]["target"] == {"value": 400.0, "value_max": None, "unit": "家", "comparator": ">="}
    assert [rows[n]["deadline"] for n in (6, 7, 9)] == ["2025-12-31", "2025-09-30", "2025-12-31"]
    assert rows[6]["department_matched"] == "高新技术科" and rows[6]["supporting"] == ["成果科"]
    assert rows[7]["department_matched"] == "高新技术科" and rows[9]["department_matched"] == "平台与基础研究科"
    assert rows[10]["action"] == rows[11]["action"] == "skipped" and rows[10]["code"] is None
    assert result["unknown_departments"] == []


def test_a_merge_low_in_a_sheet_that_starts_further_down_and_right_still_fills_its_rows():
    book = openpyxl.Workbook()
    sheet = book.active
    for offset, row in enumerate([HEADER, [1, "甲", "3项", "高新科", "", ""], [2, "乙", "4项", "", "", ""]]):
        for column, value in enumerate(row):
            if value != "":
                sheet.cell(row=6 + offset, column=3 + column, value=value)
    sheet.merge_cells("F7:F8")
    buffer = io.BytesIO()
    book.save(buffer)
    assert [row.department for row in rows_of(buffer.getvalue())] == ["高新科", "高新科"]


def test_an_indicator_sheet_with_a_unit_column_reads_each_figure_in_its_unit():
    header = ["序号", "指标名称", "单位", "2025年目标值", "责任处室", "完成时限"]
    data = workbook(
        (
            "指标",
            [
                header,
                [1, "高新技术企业数", "家", 400, "高新处", "12月"],
                [2, "R&D经费占比", "%", 3.5, "规划处", ""],
                [3, "技术合同成交额", "亿元", "≥120", "成果处", "年底前"],
            ],
        )
    )
    rows = rows_of(data)
    assert [(float(row.target.value), row.target.unit) for row in rows] == [(400, "家"), (3.5, "%"), (120, "亿元")]
    assert rows[0].department == "高新处" and rows[0].title == "高新技术企业数" and not rows[0].target.flags
