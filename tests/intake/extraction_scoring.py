"""Scoring the plan reader against hand labels (tests/data/labels_*.yaml)."""

import datetime
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from intake.extraction import ExtractedPlan

DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"
# Lines the test session prints at its end (see tests/conftest.py), so the figures show in every run.
REPORT: list[str] = []
FAMILY = {">=": ">=", ">": ">=", "=": "=", "~": "~", "<=": "<=", "range": "range"}


@dataclass
class Score:
    labelled: int
    found: int
    matched: int
    comparators_agree: int
    missed: list
    extra: list
    values_matched: int = 0  # targets found with the right value and unit, whatever their deadline
    horizons: int = 0  # labelled targets that name a horizon of their own (a deadline other than the default)
    horizons_right: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def label_key(item, default_deadline: datetime.date):
    value, unit = item[0], item[1] or ""
    lo, hi = value if isinstance(value, list) else (value, None)
    deadline = item[3] if len(item) > 3 else default_deadline
    return (float(lo), None if hi is None else float(hi), unit, str(deadline))


def score(plan: ExtractedPlan, labels: dict) -> Score:
    default = labels["default_deadline"]
    wanted = Counter()
    comparators = {}
    for item in labels["targets"]:
        key = label_key(item, default)
        wanted[key] += 1
        comparators.setdefault(key, []).append(FAMILY[item[2]])
    found = Counter()
    found_comparators = {}
    for task in plan.tasks:
        if task.target is None:
            continue
        t = task.target
        key = (float(t.value), None if t.value_max is None else float(t.value_max), t.unit, task.deadline.isoformat())
        found[key] += 1
        found_comparators.setdefault(key, []).append(FAMILY[t.comparator])
    matched = sum((wanted & found).values())
    values_matched = sum((_values(wanted) & _values(found)).values())
    own = Counter({key: n for key, n in wanted.items() if key[3] != str(default)})
    agree = sum(sum((Counter(comparators[key]) & Counter(found_comparators.get(key, []))).values()) for key in wanted)
    return Score(
        labelled=sum(wanted.values()),
        found=sum(found.values()),
        matched=matched,
        comparators_agree=agree,
        missed=sorted((wanted - found).elements()),
        extra=sorted((found - wanted).elements()),
        values_matched=values_matched,
        horizons=sum(own.values()),
        horizons_right=sum((own & found).values()),
    )


def _values(keys: Counter) -> Counter:
    values = Counter()
    for (lo, hi, unit, _deadline), n in keys.items():
        values[(lo, hi, unit)] += n
    return values


def report_line(name: str, result: Score) -> str:
    deadline = result.matched / result.values_matched if result.values_matched else 1.0
    return (
        f"{name} targets: recall {result.recall:.2f} ({result.matched}/{result.labelled}), "
        f"precision {result.precision:.2f} ({result.matched}/{result.found}), "
        f"deadlines right {deadline:.2f} ({result.matched}/{result.values_matched}), "
        f"own horizons {result.horizons_right}/{result.horizons}, "
        f"comparators agree {result.comparators_agree}/{result.labelled}"
    )


def load_labels(stem: str) -> dict:
    return yaml.safe_load((DATA / f"labels_{stem}.yaml").read_text(encoding="utf-8"))


MORE = DATA / "more"


def labelled_documents() -> list[tuple[Path, dict]]:
    """All 13 public documents with their labels: the five seeds and the eight in tests/data/more."""
    documents = [(path, load_labels(path.name[:3])) for path in sorted(SEEDS.glob("[0-9][0-9][0-9]_*.txt"))]
    for path in sorted(MORE.glob("[0-9][0-9]_*.txt")):
        documents.append((path, yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))))
    return documents
