import datetime
import io
from decimal import Decimal

import pytest
import yaml

from intake.extraction import PlanReadError, extract_plan, read_document
from intake.extraction.deadlines import clause_deadline
from intake.extraction.targets import find_targets
from tests.intake.extraction_scoring import DATA, REPORT, SEEDS, load_labels, report_line, score

SEED_FILES = sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))


def read_seed(path):
    return extract_plan(read_document(path.read_bytes(), path.name))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_the_reader_finds_every_labelled_target_and_nothing_else(path):
    plan = read_seed(path)
    labels = load_labels(path.name[:3])
    result = score(plan, labels)
    REPORT.append(report_line(f"seed {path.name[:3]}", result))
    assert plan.year == labels["plan_year"]
    assert result.missed == [] and result.extra == []
    assert result.comparators_agree == result.labelled


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_numbers_that_are_names_years_or_past_facts_never_become_targets(path):
    plan = read_seed(path)
    labels = load_labels(path.name[:3])
    values = {float(task.target.value) for task in plan.tasks if task.target}
    labelled = {float(item[0] if not isinstance(item[0], list) else item[0][0]) for item in labels["targets"]}
    assert not (set(map(float, labels["not_targets"])) - labelled) & values


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_the_tree_agrees_with_a_careful_readers_tree(path):
    """The hand-read trees in tests/data/trees; codes there include the plan heading 二. where the
    document has a summary part, which the reader leaves out (the heading is the plan itself)."""
    tree = yaml.safe_load((DATA / "trees" / f"{path.stem}.yaml").read_text(encoding="utf-8"))
    hand = set()

    def walk(rows):
        for row in rows:
            hand.add((row["code"], row["kind"]))
            walk(row.get("children", []))

    walk(tree["tasks"])
    if [row["code"] for row in tree["tasks"]] == ["二"]:
        hand = {(code.removeprefix("二."), kind) for code, kind in hand if code != "二"}
    read = {(task.code, task.kind) for task in read_seed(path).tasks}
    agreement = len(hand & read) / len(hand)
    REPORT.append(
        f"seed {path.name[:3]} tree: {len(hand & read)}/{len(hand)} hand-read tasks found with the same code and kind"
    )
    assert agreement >= 0.95
    assert len(read) == len({task.code for task in read_seed(path).tasks})  # codes unique


def test_only_the_plan_part_becomes_tasks_when_the_document_opens_with_last_years_results():
    plan = read_seed(SEEDS / "000_247ee49f70c761a0.txt")
    assert plan.year == 2026
    assert [task.code for task in plan.tasks if task.parent is None] == ["1", "2", "3", "4"]
    assert not any("独角兽" in task.source and "2家" in task.source for task in plan.tasks)


def test_every_task_has_a_parent_that_comes_before_it():
    for path in SEED_FILES:
        seen = set()
        for task in read_seed(path).tasks:
            assert task.parent is None or task.parent in seen, (path.name, task.code)
            seen.add(task.code)


def targets(text, year=2025):
    return [(t.value, t.value_max, t.unit, t.comparator) for t in find_targets(text, plan_year=year)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新认定高新技术企业400家以上", [(Decimal(400), None, "家", ">=")]),
        ("全市技术合同成交额突破92亿元", [(Decimal(92), None, "亿元", ">")]),
        ("高新技术产业增加值占比达71%", [(Decimal(71), None, "%", ">=")]),
        ("实施创新引导专项30项左右", [(Decimal(30), None, "项", "~")]),
        ("全年举办8-10场特色赛", [(Decimal(8), Decimal(10), "场", "range")]),
        ("争取产业研究院达到三个以上", [(Decimal(3), None, "个", ">=")]),
        ("“科贷通”贷款3.9亿元", [(Decimal("3.9"), None, "亿元", "=")]),
        ("安排资金6000万元", [(Decimal(6000), None, "万元", "=")]),
        ("新引育人才支持计划30人(团队)以上", [(Decimal(30), None, "人", ">=")]),
        ("科技型中小企业入库520,", [(Decimal(520), None, "", "=")]),
        ("新认定高新技术企业４００家以上", [(Decimal(400), None, "家", ">=")]),
        ("能耗控制在5%以内", [(Decimal(5), None, "%", "<=")]),
        ("亏损企业不超过10家", [(Decimal(10), None, "家", "<=")]),
    ],
)
def test_a_commitment_is_read_with_its_value_unit_and_comparator(text, expected):
    assert targets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "力争承担“2030先锋工程”项目",
        "聚焦我市“1+2”现代化产业布局",
        "打造“6+X”科创平台体系",
        "重点抓好“1255”",
        "迭代出台科技新政4.0版",
        "锚定世界500强企业",
        "持续推进G60科创走廊建设",
        "2024年度,全社会研发经费投入占GDP比重2.4%,持续保持全省第一",
        "2025年是“十四五”规划的收官之年",
        "对科技创新30强和100强企业分类重点培育",
        "实施“五大行动”,三个方向",
    ],
)
def test_numbers_that_are_names_dates_or_the_past_are_not_commitments(text):
    assert targets(text) == []


@pytest.mark.parametrize(
    ("clause", "deadline"),
    [
        ("到2027年新增高企100家", datetime.date(2027, 12, 31)),
        ("五年内新增高新技术企业50家以上", datetime.date(2029, 12, 31)),
        ("上半年完成申报", datetime.date(2025, 6, 30)),
        ("6月底前出台办法", datetime.date(2025, 6, 30)),
        ("第三季度完成验收", datetime.date(2025, 9, 30)),
        ("年底前完成", None),
        ("4月举办对接活动", None),
        ("2025年,新增基地5", None),
    ],
)
def test_a_clause_names_its_own_deadline(clause, deadline):
    assert clause_deadline(clause, plan_year=2025) == deadline


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "plan.txt", "empty"),
        (b"\x00\x01\x02binary" * 50, "plan.txt", "binary"),
        (b"This is an English memo about nothing in particular." * 5, "memo.txt", "Chinese"),
        (b"PK\x03\x04not really a zip", "plan.docx", "not a readable .docx"),
    ],
)
def test_unreadable_input_is_refused_with_what_was_expected(data, name, message):
    with pytest.raises(PlanReadError, match=message):
        extract_plan(read_document(data, name))


def test_a_chinese_text_with_no_plan_part_is_refused():
    with pytest.raises(PlanReadError, match="no plan part"):
        extract_plan("今年以来，我局认真贯彻落实各项部署，各项工作取得明显成效，得到上级充分肯定。" * 3)


def test_a_document_of_only_results_has_no_plan_part():
    text = "一、2024年工作总结\n(一)扎实培育创新主体\n一是认定独角兽企业2家。\n二是申报科小395家。"
    with pytest.raises(PlanReadError, match="no plan part"):
        extract_plan(text)


def test_a_docx_reads_the_same_as_its_text():
    import docx

    path = SEEDS / "002_db6da37ce7d33ff1.txt"
    document = docx.Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    from_docx = extract_plan(read_document(buffer.getvalue(), "plan.docx"))
    from_text = read_seed(path)
    assert from_docx.as_json() == from_text.as_json()


def test_gbk_text_reads_like_utf8():
    path = SEEDS / "002_db6da37ce7d33ff1.txt"
    text = path.read_text(encoding="utf-8")
    gbk = text.encode("gb18030")
    assert extract_plan(read_document(gbk, "plan.txt")).as_json() == read_seed(path).as_json()


def test_an_explicit_year_wins_over_the_documents():
    plan = extract_plan(read_document((SEEDS / "002_db6da37ce7d33ff1.txt").read_bytes(), "x.txt"), year=2026)
    assert plan.year == 2026
    assert {task.deadline for task in plan.tasks} == {datetime.date(2026, 12, 31)}


def test_unsure_readings_are_flagged_for_review():
    plan = read_seed(SEEDS / "004_ac3e7e1de5ce8485.txt")
    flagged = [task for task in plan.tasks if task.target and "no_unit" in task.flags]
    assert flagged and all(task.target.unit == "" for task in flagged)
    assert not any("no_unit" in task.flags for task in plan.tasks if task.target and task.target.unit)


OTHER_BUREAU = """某县科技局2026年工作要点
一、2025年工作回顾
全年新认定高新技术企业35家。
二、2026年工作要点
(一)强化企业创新主体地位
1、新认定高新技术企业40家以上,力争突破50家。
2、上半年出台《科技型企业梯次培育办法》。
(二)提升平台能级
第一,建成省级重点实验室2个以上。
第二,到2028年新增市级研发机构30家左右。
(三)优化创新生态
(1)举办科技活动周等活动5-8场。
(2)全年技术合同登记额不低于6000万元。
"""


def test_another_bureaus_plan_written_the_same_way_is_read_too():
    plan = extract_plan(OTHER_BUREAU)
    assert (plan.year, plan.bureau, plan.title) == (2026, "某县科技局", "某县科技局2026年工作要点")
    by_code = {task.code: task for task in plan.tasks}
    assert [task.code for task in plan.tasks if task.parent is None] == ["(一)", "(二)", "(三)"]
    assert not any(task.target and task.target.value == 35 for task in plan.tasks)  # last year's result
    first = [task for task in plan.tasks if task.parent == "(一).1"]
    assert [(t.target.value, t.target.comparator) for t in first] == [(Decimal(40), ">="), (Decimal(50), ">")]
    assert by_code["(一).2"].kind == "milestone" and by_code["(一).2"].deadline == datetime.date(2026, 6, 30)
    assert by_code["(二).第一"].target.unit == "个"
    second = by_code["(二).第二"]
    assert (second.target.comparator, second.deadline) == ("~", datetime.date(2028, 12, 31))
    assert by_code["(三).(1)"].target.value_max == Decimal(8)
    assert by_code["(三).(2)"].target.unit == "万元" and by_code["(三).(2)"].target.comparator == ">="
