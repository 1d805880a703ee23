"""The plan reader on the layouts and rules bureaus write in, from texts written the way they write them.

Each text here is the team's own, in the forms seen in published plans: numbered outlines, inline
一是/二是, numbered lists with no title, prose with "；" or "。" between commitments, a summary of
last year before the plan, several horizons in one text.
"""

import datetime
from decimal import Decimal

import pytest

from intake.extraction import PlanReadError, extract_plan
from intake.extraction.targets import find_targets


def readings(plan):
    return [
        (float(t.target.value), t.target.unit, t.target.comparator, t.deadline.isoformat())
        for t in plan.tasks
        if t.target
    ]


def test_a_full_outline_with_circled_sub_items_is_read_to_its_leaves():
    plan = extract_plan(
        "某市科学技术局2025年工作要点\n"
        "一、强化企业创新主体\n"
        "(一)梯度培育科技企业\n"
        "1.实施高企倍增行动。\n"
        "(1)新认定高新技术企业120家以上。\n"
        "(2)科技型中小企业评价入库800家。\n"
        "2.壮大创新平台。\n"
        "①新建省级工程技术研究中心5家;\n"
        "②新建市级重点实验室8个左右。\n"
        "二、优化创新生态\n"
        "(一)6月底前修订《科技计划项目管理办法》。\n"
    )
    codes = {task.code: task for task in plan.tasks}
    assert codes["一.(一).1.(1)"].target.value == 120
    assert codes["一.(一).2.①"].target.unit == "家"
    assert (codes["一.(一).2.②"].target.comparator, codes["一.(一).2.②"].target.value) == ("~", Decimal(8))
    assert codes["二.(一)"].kind == "milestone" and codes["二.(一)"].deadline == datetime.date(2025, 6, 30)
    assert (plan.title, plan.bureau, plan.year) == ("某市科学技术局2025年工作要点", "某市科学技术局", 2025)


def test_inline_yishi_clauses_become_items_each_with_its_own_target():
    plan = extract_plan(
        "某区科技局2024年工作计划\n"
        "今年重点抓好三方面工作:一是培育创新主体,新增国家高新技术企业30家;二是建设创新平台,"
        "新建省级研发机构6家以上;三是深化科技合作,举办产学研对接活动10场次。"
    )
    assert readings(plan) == [
        (30.0, "家", "=", "2024-12-31"),
        (6.0, "家", ">=", "2024-12-31"),
        (10.0, "场次", "=", "2024-12-31"),
    ]


def test_a_numbered_list_without_a_title_reads_with_the_year_the_user_gives():
    text = (
        "1、全年争取省级以上科技项目15项以上。\n2、技术合同登记额达到5亿元。\n"
        "3、做好科技特派员服务工作,选派科技特派员40名。"
    )
    plan = extract_plan(text, year=2026)
    assert (plan.title, plan.bureau) == ("", "")
    assert readings(plan) == [
        (15.0, "项", ">=", "2026-12-31"),
        (5.0, "亿元", ">=", "2026-12-31"),
        (40.0, "名", "=", "2026-12-31"),
    ]


def test_a_prose_paragraph_of_semicolon_commitments_becomes_one_task_each_under_its_lead_in():
    plan = extract_plan(
        "2025年全县科技工作目标\n"
        "工作目标:全年新增高新技术企业15家;科技型中小企业入库达到120家;"
        "全社会研发经费投入增长12%以上;组织实施县级科技计划项目30项左右。"
    )
    sections = [task for task in plan.tasks if task.kind == "section"]
    assert [section.title for section in sections] == ["工作目标"]
    assert [task.parent for task in plan.tasks if task.kind != "section"] == [sections[0].code] * 4
    assert readings(plan) == [
        (15.0, "家", "=", "2025-12-31"),
        (120.0, "家", ">=", "2025-12-31"),
        (12.0, "%", ">=", "2025-12-31"),
        (30.0, "项", "~", "2025-12-31"),
    ]
    growth = next(task for task in plan.tasks if task.target and task.target.unit == "%")
    assert "研发经费投入" in growth.target.metric


def test_prose_commitments_separated_by_full_stops_are_tasks_too_and_slogans_are_not():
    plan = extract_plan(
        "某县科技局2025年工作打算\n"
        "2025年,我局将紧紧围绕县委县政府决策部署,奋力谱写科技创新新篇章。上半年出台科技创新券管理办法。"
        "全年力争新增省级科技型中小企业60家。三季度前完成县级重点研发项目验收。"
    )
    milestones = [task for task in plan.tasks if task.kind == "milestone"]
    assert any("科技创新券" in task.title and task.deadline == datetime.date(2025, 6, 30) for task in milestones)
    assert any("验收" in task.title and task.deadline == datetime.date(2025, 9, 30) for task in milestones)
    assert readings(plan) == [(60.0, "家", ">=", "2025-12-31")]


def test_only_the_plan_part_of_a_summary_then_plan_report_becomes_tasks_and_its_start_is_told():
    plan = extract_plan(
        "市科技局召开年度工作会议\n"
        "会议指出,2023年全市新认定高新技术企业85家,技术合同成交额达到21亿元,已建成省级研发平台12家。\n"
        "会议要求,2024年全市要新认定高新技术企业100家以上,技术合同成交额突破25亿元,新建省级研发平台5家。"
    )
    assert plan.year == 2024
    assert readings(plan) == [
        (100.0, "家", ">=", "2024-12-31"),
        (25.0, "亿元", ">", "2024-12-31"),
        (5.0, "家", "=", "2024-12-31"),
    ]
    assert plan.starts_at.startswith("会议要求,2024年")


def test_a_summary_with_no_plan_part_is_refused_with_the_reason():
    with pytest.raises(PlanReadError, match="no plan part"):
        extract_plan(
            "2023年工作总结\n2023年,我局新认定高新技术企业85家,技术合同成交额达到21亿元。"
            "去年以来,全市科技创新工作取得了明显成效。"
        )


def test_several_horizons_in_one_text_each_govern_their_own_targets():
    plan = extract_plan(
        "某市推进科技创新三年行动方案(2025-2027年)\n"
        "到2025年,全市高新技术企业达到1200家,研发经费投入强度达到2.8%。"
        "到2027年,全市高新技术企业达到1600家以上,研发经费投入强度达到3.2%。"
        "今年,全市新增科技型中小企业300家。",
        year=2025,
    )
    assert readings(plan) == [
        (1200.0, "家", ">=", "2025-12-31"),
        (2.8, "%", ">=", "2025-12-31"),
        (1600.0, "家", ">=", "2027-12-31"),
        (3.2, "%", ">=", "2027-12-31"),
        (300.0, "家", "=", "2025-12-31"),
    ]
    assert plan.years == [2025, 2027]


def test_a_horizon_in_a_heading_reaches_the_items_under_it():
    plan = extract_plan(
        "某县科技局2025年工作要点\n"
        "一、近期目标\n1.新增高新技术企业10家。\n"
        "二、到2027年的目标\n1.高新技术企业总数达到80家。\n2.五年内建成省级创新平台3个以上。\n"
    )
    by_code = {task.code: task for task in plan.tasks}
    assert by_code["一.1"].deadline == datetime.date(2025, 12, 31)
    assert by_code["二.1"].deadline == datetime.date(2027, 12, 31)
    assert by_code["二.2"].deadline == datetime.date(2029, 12, 31)  # its own horizon wins


@pytest.mark.parametrize(
    ("sentence", "deadline"),
    [
        ("力争到2027年,全县高新技术企业突破50家;科技型中小企业突破200家。", "2027-12-31"),
        ("五年内,全县高新技术企业突破50家;科技型中小企业突破200家。", "2029-12-31"),
        ("上半年,新增高新技术企业10家;新建研发机构5家。", "2025-06-30"),
        ("三季度,新增高新技术企业10家;新建研发机构5家。", "2025-09-30"),
        ("6月底前,新增高新技术企业10家;新建研发机构5家。", "2025-06-30"),
        ("年底前,新增高新技术企业10家;新建研发机构5家。", "2025-12-31"),
    ],
)
def test_a_horizon_at_the_head_of_a_sentence_applies_to_every_commitment_in_it(sentence, deadline):
    plan = extract_plan("某县科技局2025年工作要点\n" + sentence)
    assert [reading[3] for reading in readings(plan)] == [deadline, deadline]


def test_a_clause_of_its_own_keeps_its_own_deadline_inside_a_sentence():
    plan = extract_plan(
        "某县科技局2025年工作要点\n全年新增高新技术企业10家;6月底前新建研发机构5家;技术合同额达到2亿元。"
    )
    assert [reading[3] for reading in readings(plan)] == ["2025-12-31", "2025-06-30", "2025-12-31"]


def read_one(text, year=2025):
    return [(t.value, t.value_max, t.unit, t.comparator) for t in find_targets(text, plan_year=year)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("综合科技创新水平进入全省前10位", [(Decimal(10), None, "位", "<=")]),
        ("区域创新能力排名保持全市前3名", [(Decimal(3), None, "名", "<=")]),
        ("力争进入全省前三名", [(Decimal(3), None, "名", "<=")]),
        ("科技创新综合实力稳居全省第一方阵", [(Decimal(1), None, "位", "<=")]),
        ("投入研发人员2000人年", [(Decimal(2000), None, "人年", "=")]),
        ("开展科普活动惠及群众50万人次以上", [(Decimal(50), None, "万人次", ">=")]),
        ("培训农民5000人次", [(Decimal(5000), None, "人次", "=")]),
        ("新增孵化载体面积10万平方米", [(Decimal(10), None, "万平方米", "=")]),
        ("高新技术产业产值达到1.2万亿元", [(Decimal("1.2"), None, "万亿元", ">=")]),
        ("新引进亿元以上项目10个", [(Decimal(10), None, "个", "=")]),
        ("培育1000万元以上企业50家", [(Decimal(50), None, "家", "=")]),
        ("规上企业研发机构覆盖率达到50%", [(Decimal(50), None, "%", ">=")]),
        ("推动5000万元以上的产业项目落地", []),
        ("财政科技支出比上年增长10%以上", [(Decimal(10), None, "%", ">=")]),
        ("高新技术产业产值比2020年翻一番", [(Decimal(2), None, "倍", ">=")]),
        ("全市技术合同成交额已达到50亿元", []),
        ("2023年,全市技术合同成交额达30亿元", []),
    ],
)
def test_targets_are_read_with_their_whole_unit_and_rank_and_thresholds_are_not_targets(text, expected):
    assert read_one(text) == expected


def test_a_relative_goal_keeps_its_metric_and_its_baseline():
    (doubling,) = find_targets("全市高新技术产业产值比2020年翻一番", plan_year=2025)
    assert (doubling.metric, doubling.baseline) == ("高新技术产业产值", "2020年")
    (growth,) = find_targets("财政科技支出比上年增长10%以上", plan_year=2025)
    assert growth.baseline == "上年" and "财政科技支出" in growth.metric


def test_a_doubling_restated_as_a_figure_is_one_target():
    assert read_one("产值比2004年翻一番,达到5200亿元") == [(Decimal(5200), None, "亿元", ">=")]


def test_a_figure_in_the_headline_and_again_in_the_body_is_one_target():
    plan = extract_plan(
        "全市高新技术企业2026年将突破800家\n"
        "记者从市科技局获悉,今年我市将实施高企培育行动,力争全市高新技术企业总数突破800家,"
        "新增科技型中小企业500家。\n"
        "市科技局有关负责人介绍,今年全市高新技术企业数量要突破800家,为此将组织专场培训20场。",
        year=2026,
    )
    assert sorted(readings(plan)) == [
        (20.0, "场", "=", "2026-12-31"),
        (500.0, "家", "=", "2026-12-31"),
        (800.0, "家", ">", "2026-12-31"),
    ]


def test_the_plan_year_is_read_from_a_year_written_with_spaces_and_from_this_year():
    spaced = extract_plan("某县科技局 2023 年工作计划\n1.新增高新技术企业 12 家。")
    assert (spaced.year, readings(spaced)) == (2023, [(12.0, "家", "=", "2023-12-31")])
    this_year = extract_plan(
        "全县科技工作会议召开\n2022年,全县新增高新技术企业8家。今年,全县力争新增高新技术企业12家。"
    )
    assert this_year.year == 2023 and readings(this_year) == [(12.0, "家", ">=", "2023-12-31")]


def test_title_and_issuer_stay_empty_when_the_document_does_not_say_them():
    plan = extract_plan("今年,全县将力争新增高新技术企业12家,技术合同成交额达到1亿元。", year=2024)
    assert (plan.title, plan.bureau) == ("", "")


def test_the_lead_department_and_owner_named_in_an_item_are_suggested():
    plan = extract_plan(
        "某县科技局2025年工作要点\n"
        "1.新增高新技术企业10家。(牵头科室:高新科;责任人:王明)\n"
        "2.组织科技活动周。(成果科牵头,各科室配合)\n"
    )
    by_code = {task.code: task for task in plan.tasks}
    assert (by_code["1"].department, by_code["1"].owner) == ("高新科", "王明")
    assert by_code["2"].department == "成果科"


def test_targets_stated_in_the_opening_paragraph_of_a_numbered_plan_are_read_too():
    plan = extract_plan(
        "某市科技局2025年工作要点\n"
        "2025年全市科技工作的主要目标是:全社会研发经费投入增长12%,高新技术企业总数达到1500家。\n"
        "一、强化企业主体\n1.新认定高新技术企业200家以上。\n"
    )
    assert readings(plan)[:2] == [(12.0, "%", ">=", "2025-12-31"), (1500.0, "家", ">=", "2025-12-31")]
    assert [task.code for task in plan.tasks[:3]] == ["0", "0.1", "0.2"]
    assert readings(plan)[2] == (200.0, "家", ">=", "2025-12-31")


def test_summary_paragraphs_under_a_summary_heading_are_left_out_of_a_prose_plan():
    plan = extract_plan(
        "某县科技局工作总结及计划\n"
        "一年来工作回顾\n"
        "全年新认定高新技术企业12家,技术合同成交额完成3亿元。\n"
        "2025年工作计划\n"
        "全年力争新认定高新技术企业15家,技术合同成交额达到4亿元。",
        year=2025,
    )
    assert readings(plan) == [(15.0, "家", ">=", "2025-12-31"), (4.0, "亿元", ">=", "2025-12-31")]


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("到“十四五”末,全县高新技术企业达到100家。", "2025-12-31"),
        ("全县高新技术企业6月30日前达到100家。", "2024-06-30"),
        ("明年全县高新技术企业达到100家。", "2025-12-31"),
        ("2025年6月底前,全县高新技术企业达到100家。", "2025-06-30"),
        ("三年内,全县高新技术企业达到100家。", "2026-12-31"),
    ],
)
def test_more_ways_of_naming_a_horizon(text, deadline):
    plan = extract_plan("某县科技局2024年工作要点\n" + text)
    assert [reading[3] for reading in readings(plan)] == [deadline]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新增科技型中小企业1.2万家", [(Decimal("1.2"), None, "万家", "=")]),
        ("高新技术产业增加值占比提高2个百分点", [(Decimal(2), None, "个百分点", ">=")]),
        ("全社会研发投入增长15%", [(Decimal(15), None, "%", ">=")]),
        ("组织约200家企业参加对接会", [(Decimal(200), None, "家", "~")]),
        ("高新技术产业增加值1250亿元", [(Decimal(1250), None, "亿元", "=")]),
    ],
)
def test_scaled_units_growth_and_about_are_read(text, expected):
    assert read_one(text) == expected


def test_a_three_year_action_plan_issued_by_a_notice_is_read_for_the_year_it_was_issued():
    """tests/data/action_plan_2024_2026.txt: the team's own text in the form of a 实施方案 issued by a 通知."""
    from tests.intake.extraction_scoring import DATA

    plan = extract_plan((DATA / "action_plan_2024_2026.txt").read_text(encoding="utf-8"))
    assert (plan.title, plan.year) == ("某市加快建设科技强市三年行动方案(2024-2026年)", 2024)
    by_metric = {
        t.target.metric: (float(t.target.value), t.target.unit, t.deadline.year) for t in plan.tasks if t.target
    }
    assert by_metric["综合科技创新水平"] == (5.0, "位", 2026)  # 到2026年 opens the goal paragraph
    assert by_metric["全社会研发经费投入强度"] == (2.8, "%", 2026)  # and governs its later sentences
    assert by_metric["高新技术企业"] == (1100.0, "家", 2024)  # 2024年底前: a deadline, not a past fact
    assert by_metric["三年内新建省级以上重点实验室"] == (10.0, "家", 2026)
    assert not any(t.target.unit == "次" for t in plan.tasks if t.target)  # 每季度召开1次: a routine
    assert not any(
        t.target.value == 5 and t.target.unit == "亿元" and "营业收入" in t.target.metric
        for t in plan.tasks
        if t.target
    )  # 5亿元以上工业企业: a threshold
    assert next(t for t in plan.tasks if t.title.startswith("全市科技创新能力")).deadline.year == 2026


def test_a_news_report_of_a_conference_yields_this_years_and_the_horizons_targets_only():
    """tests/data/news_conference_2024.txt: a dateline, last year's results, then 今年 and 到2027年."""
    from tests.intake.extraction_scoring import DATA

    plan = extract_plan((DATA / "news_conference_2024.txt").read_text(encoding="utf-8"))
    assert plan.year == 2024
    assert readings(plan) == [
        (2.8, "%", ">=", "2024-12-31"),
        (1500.0, "家", ">", "2024-12-31"),
        (150.0, "亿元", ">=", "2024-12-31"),
        (20.0, "家", ">=", "2024-12-31"),
        (4.0, "位", "<=", "2024-12-31"),
        (2.0, "倍", ">=", "2027-12-31"),  # 比2023年翻一番, not restated by a figure
        (3.2, "%", ">=", "2027-12-31"),
    ]
    doubling = next(t for t in plan.tasks if t.target and t.target.unit == "倍")
    assert (doubling.target.metric, doubling.target.baseline) == ("高新技术企业数量", "2023年")
    assert not any(task.title.startswith("2月26日") for task in plan.tasks)


def test_an_items_own_completion_line_is_its_deadline():
    plan = extract_plan(
        "市科技局2025年工作要点\n"
        "1. 推动科技型中小企业评价\n科技型中小企业入库600家。\n责任科室:高新技术科\n完成时限:2025年6月底\n"
        "2. 建设省级重点实验室\n新增省级重点实验室2家。\n责任科室:基础研究科\n完成时限:11月\n"
    )
    by_code = {task.code: task for task in plan.tasks}
    assert (by_code["1"].deadline, by_code["1"].department) == (datetime.date(2025, 6, 30), "高新技术科")
    assert by_code["1"].title == "推动科技型中小企业评价" and by_code["1"].target.metric == "科技型中小企业入库"
    assert by_code["2"].deadline == datetime.date(2025, 11, 30)


def test_items_numbered_with_a_half_bracket_and_a_summary_of_results_first():
    plan = extract_plan(
        "某区科技局工作总结和下一步打算\n"
        "一、主要工作成效\n1)新认定高新技术企业30家。\n2)技术合同成交额完成5亿元。\n"
        "二、下一步工作打算\n1)力争新认定高新技术企业40家。\n2)技术合同成交额达到6亿元。\n",
        year=2025,
    )
    assert readings(plan) == [(40.0, "家", ">=", "2025-12-31"), (6.0, "亿元", ">=", "2025-12-31")]
    assert [task.code for task in plan.tasks] == ["1)", "2)"]


def test_a_news_page_saved_as_text_leaves_out_its_breadcrumb_byline_and_related_links():
    """tests/data/news_page_2025.txt: breadcrumb, dateline, byline and a 相关新闻 list around the plan."""
    from tests.intake.extraction_scoring import DATA

    plan = extract_plan((DATA / "news_page_2025.txt").read_text(encoding="utf-8"))
    assert (plan.title, plan.bureau, plan.year) == ("市科技局部署2025年重点工作", "市科技局", 2025)
    assert readings(plan) == [(120.0, "家", ">=", "2025-12-31"), (40.0, "亿元", ">", "2025-12-31")]
    assert [task.deadline.isoformat() for task in plan.tasks if task.kind == "milestone"] == ["2025-06-30"]


def test_inline_lists_of_last_year_and_this_year_in_one_report_yield_this_years_only():
    plan = extract_plan(
        "某县科技局2025年工作计划\n去年:一是新增高新技术企业8家;二是技术合同成交额完成1亿元。\n"
        "今年:一是新增高新技术企业10家;二是技术合同成交额达到1.5亿元。"
    )
    assert readings(plan) == [(10.0, "家", "=", "2025-12-31"), (1.5, "亿元", ">=", "2025-12-31")]


def test_a_growth_stated_after_a_figure_is_the_growth_of_that_figures_subject():
    first, growth = find_targets("技术合同登记额达到25亿元,同比增长15%", plan_year=2025)
    assert (growth.value, growth.unit, growth.comparator) == (Decimal(15), "%", ">=")
    assert (growth.metric, growth.baseline) == ("技术合同登记额同比增长", "上年同期")
