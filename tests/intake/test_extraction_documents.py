"""The plan reader on the eight public documents of tests/data/more, and on all 13 together.

These are real pages as bureaus and newspapers publish plans: a numbered list with no title, inline
一是/二是, one prose paragraph with a shared horizon, meeting and news reports with last year's results
first, two horizons in one text. Their labels say what a careful reader takes from them.
"""

from collections import Counter

import pytest

from intake.extraction import extract_plan, read_document
from tests.intake.extraction_scoring import MORE, REPORT, labelled_documents, report_line, score

MORE_FILES = sorted(MORE.glob("[0-9][0-9]_*.txt"))


def read(path):
    return extract_plan(read_document(path.read_bytes(), path.name))


@pytest.mark.parametrize("path", MORE_FILES, ids=lambda p: p.stem)
def test_every_labelled_target_is_found_with_its_deadline_and_nothing_else(path):
    import yaml

    labels = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
    plan = read(path)
    result = score(plan, labels)
    REPORT.append(report_line(f"more {path.stem}", result))
    assert plan.year == labels["plan_year"]
    assert (result.missed, result.extra) == ([], [])
    assert result.comparators_agree == result.labelled


@pytest.mark.parametrize("path", MORE_FILES, ids=lambda p: p.stem)
def test_labelled_non_targets_never_become_targets(path):
    import yaml

    labels = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))
    wanted = {float(item[0] if not isinstance(item[0], list) else item[0][0]) for item in labels["targets"]}
    read_values = {float(task.target.value) for task in read(path).tasks if task.target}
    assert not (set(map(float, labels["not_targets"])) - wanted) & read_values


@pytest.mark.parametrize("path", MORE_FILES, ids=lambda p: p.stem)
def test_the_number_of_leaf_tasks_is_what_a_careful_reader_makes(path):
    import yaml

    bounds = yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))["leaf_tasks"]
    tasks = read(path).tasks
    parents = {task.parent for task in tasks}
    leaves = [task for task in tasks if task.code not in parents]
    assert bounds["min"] <= len(leaves) <= bounds["max"], [task.title for task in leaves]


def test_all_thirteen_public_documents_together_meet_the_goals():
    totals = Counter()
    for path, labels in labelled_documents():
        result = score(read(path), labels)
        totals.update(
            labelled=result.labelled,
            found=result.found,
            matched=result.matched,
            values=result.values_matched,
            horizons=result.horizons,
            horizons_right=result.horizons_right,
        )
    recall = totals["matched"] / totals["labelled"]
    precision = totals["matched"] / totals["found"]
    deadlines = totals["matched"] / totals["values"]
    REPORT.append(
        f"~ all 13 documents: recall {recall:.2f} ({totals['matched']}/{totals['labelled']}), "
        f"precision {precision:.2f} ({totals['matched']}/{totals['found']}), "
        f"deadlines right {deadlines:.2f}, own horizons {totals['horizons_right']}/{totals['horizons']}"
    )
    assert recall >= 0.95 and precision >= 0.95 and deadlines >= 0.9
