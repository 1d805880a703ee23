import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.sheets.cells import CellError, parse_code, parse_deadline, parse_target


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime.date(2025, 9, 30), datetime.date(2025, 9, 30)),
        (datetime.datetime(2025, 9, 30, 0, 0), datetime.date(2025, 9, 30)),
        (45930.0, datetime.date(2025, 9, 30)),  # an Excel serial day
        ("2025-10-31", datetime.date(2025, 10, 31)),
        ("2025/10/31", datetime.date(2025, 10, 31)),
        ("2025.12", datetime.date(2025, 12, 31)),
        ("2025年12月", datetime.date(2025, 12, 31)),
        ("2025年12月31日", datetime.date(2025, 12, 31)),
        ("2025年12月底前", datetime.date(2025, 12, 31)),
        ("12月底前", datetime.date(2025, 12, 31)),
        ("6月底", datetime.date(2025, 6, 30)),
        ("年底前", datetime.date(2025, 12, 31)),
        ("2025年第三季度", datetime.date(2025, 9, 30)),
        ("三季度", datetime.date(2025, 9, 30)),
        ("上半年", datetime.date(2025, 6, 30)),
        ("２０２５年１１月", datetime.date(2025, 11, 30)),
        ("2026年", datetime.date(2026, 12, 31)),
        ("", None),
        (None, None),
    ],
)
def test_deadlines_are_read_in_every_common_form(cell, expected):
    assert parse_deadline(cell, plan_year=2025) == expected


@pytest.mark.parametrize("cell", ["2025-02-30", "2025年13月", "明年", "尽快", "12345"])
def test_an_unreadable_deadline_says_what_it_could_not_read(cell):
    with pytest.raises(CellError, match="“"):
        parse_deadline(cell, plan_year=2025)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("新认定省科技型中小企业1000家以上", (Decimal(1000), None, "家", ">=")),
        ("全市技术合同成交额突破92亿元", (Decimal(92), None, "亿元", ">")),
        ("入库５２０家", (Decimal(520), None, "家", "=")),
        ("举办8-10场特色赛", (Decimal(8), Decimal(10), "场", "range")),
        (400.0, (Decimal(400), None, "", "=")),
        ("520", (Decimal(520), None, "", "=")),
    ],
)
def test_targets_in_cells_read_as_plan_documents_read_them(cell, expected):
    target = parse_target(cell, plan_year=2025)
    assert (target.value, target.value_max, target.unit, target.comparator) == expected


def test_a_cell_without_a_number_is_a_milestone():
    assert parse_target("完成制定《科创平台绩效评价办法》", plan_year=2025) is None


def test_a_negative_target_is_refused():
    with pytest.raises(CellError, match="negative"):
        parse_target("-5家", plan_year=2025)


def test_codes_read_as_written():
    assert (parse_code(1.0), parse_code("（一）"), parse_code(" 3、"), parse_code(None)) == ("1", "(一)", "3", "")


cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**9),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["2025年", "第五季度", "13月", "2025-00-10", "——", "∞家以上"]),
)


@settings(max_examples=400, deadline=None)
@given(cell_values)
def test_any_cell_either_parses_as_a_deadline_or_raises_the_projects_own_error(cell):
    try:
        result = parse_deadline(cell, plan_year=2025)
    except CellError:
        return
    assert result is None or isinstance(result, datetime.date)


@settings(max_examples=400, deadline=None)
@given(cell_values)
def test_any_cell_either_parses_as_a_target_or_raises_the_projects_own_error(cell):
    try:
        result = parse_target(cell, plan_year=2025)
    except CellError:
        return
    assert result is None or result.value >= 0
