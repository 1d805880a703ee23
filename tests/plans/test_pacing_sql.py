"""plans.pacing_sql, the rules' one SQL form, against plans.pacing, their specification, on two models.

The same expressions annotate live tasks (Task's columns) and snapshot rows (TaskSnapshot's, and the
frozen CTE's columns of reports.sql.insert_snapshot_rows, covered in tests/reports/test_snapshot.py).
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db.models import F

from plans.pacing import expected_percent, health, percent_complete
from plans.pacing_sql import DaysBetween, PacingInputs, pacing_expressions
from reports.models import Snapshot, TaskSnapshot

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 15)
START = datetime.date(2025, 1, 1)


def grid():
    """Every combination the rules tell apart, as the inputs of a row."""
    deadlines = [
        TODAY - datetime.timedelta(days=1),
        TODAY,
        TODAY + datetime.timedelta(days=7),
        datetime.date(2025, 12, 31),
    ]
    for kind, comparator, baseline, actual, deadline, pacing, completed_on in itertools.product(
        ["quantitative", "milestone", "section"],
        [">=", "<=", "~"],
        [None, Decimal(30), Decimal(80)],
        [None, Decimal(0), Decimal(20), Decimal(45), Decimal(60), Decimal(100)],
        deadlines,
        ["linear", "deadline"],
        [None, datetime.date(2025, 6, 1)],
    ):
        quantitative = kind == "quantitative"
        yield {
            "kind": kind,
            "comparator": comparator if quantitative else "",
            "target_value": Decimal(50) if quantitative else None,
            "baseline": baseline if quantitative else None,
            "reported_value": actual if quantitative else None,
            "reported_percent": None if quantitative or actual is None else actual,
            "start_date": START if pacing == "linear" else TODAY + datetime.timedelta(days=1),
            "deadline": deadline if deadline >= START else START,
            "pacing": pacing,
            "completed_on": completed_on,
        }


def specification(row: dict) -> tuple:
    percent = percent_complete(
        kind=row["kind"],
        comparator=row["comparator"],
        target_value=row["target_value"],
        baseline=row["baseline"],
        actual=row["reported_value"],
        milestone_percent=row["reported_percent"],
    )
    expected = expected_percent(start=row["start_date"], deadline=row["deadline"], today=TODAY, pacing=row["pacing"])
    colour = health(
        kind=row["kind"],
        percent=percent,
        expected=expected,
        deadline=row["deadline"],
        today=TODAY,
        completed=row["completed_on"] is not None,
        comparator=row["comparator"],
    )
    return percent, expected, colour


def test_the_builder_over_snapshot_rows_agrees_with_the_specification_on_every_case():
    snapshot = Snapshot.objects.create(cut_off=datetime.datetime(2025, 6, 15, 18, tzinfo=datetime.UTC))
    rows = [row for row in grid() if row["deadline"] >= row["start_date"]]
    TaskSnapshot.objects.bulk_create(
        TaskSnapshot(snapshot=snapshot, code=str(n), plan_title="p", bureau="b", title="t", **row)
        for n, row in enumerate(rows)
    )
    annotated = TaskSnapshot.objects.filter(snapshot=snapshot).annotate(
        **pacing_expressions(PacingInputs(), today=TODAY)
    )
    checked = 0
    for got in annotated:
        percent, expected, colour = specification(rows[int(got.code)])
        assert got.percent_complete == (None if percent is None else pytest.approx(percent)), rows[int(got.code)]
        assert got.expected_percent == pytest.approx(expected), rows[int(got.code)]
        assert got.health == colour, rows[int(got.code)]
        checked += 1
    assert checked == len(rows) > 1500


def test_inputs_may_be_read_from_other_columns():
    snapshot = Snapshot.objects.create(cut_off=datetime.datetime(2025, 6, 15, 18, tzinfo=datetime.UTC))
    row = next(r for r in grid() if r["kind"] == "quantitative" and r["baseline"] is None and r["reported_value"] == 20)
    TaskSnapshot.objects.create(
        snapshot=snapshot, code="1", plan_title="p", bureau="b", title="t", target_value_max=Decimal(80), **row
    )
    # The target read from target_value_max (80), not target_value (50): a quarter of the way from 0.
    inputs = PacingInputs(target_value=F("target_value_max"))
    annotated = TaskSnapshot.objects.annotate(**pacing_expressions(inputs, today=TODAY)).get()
    assert annotated.percent_complete == pytest.approx(25.0)


def test_days_between_counts_whole_days_from_start_to_end():
    snapshot = Snapshot.objects.create(cut_off=datetime.datetime(2025, 6, 15, 18, tzinfo=datetime.UTC))
    row = next(grid())
    TaskSnapshot.objects.create(snapshot=snapshot, code="1", plan_title="p", bureau="b", title="t", **row)
    got = TaskSnapshot.objects.annotate(days=DaysBetween(F("start_date"), F("deadline"))).get()
    assert got.days == (row["deadline"] - row["start_date"]).days
