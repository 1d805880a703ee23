"""What the plan reader returns: the plan's facts and its tasks, as plain values."""

import datetime
from dataclasses import dataclass, field

from .targets import FoundTarget


@dataclass
class ExtractedTask:
    code: str
    parent: str | None
    label: str
    title: str
    kind: str  # section | quantitative | milestone
    deadline: datetime.date
    source: str  # the plan's own sentence, shown beside the reading
    target: FoundTarget | None = None
    flags: list[str] = field(default_factory=list)
    department: str = ""  # 牵头科室 as the text names it (牵头单位:高新科), to suggest on the review page
    owner: str = ""  # 责任人 as the text names it
    lead_department_id: int | None = None  # as the user confirmed them on the review page
    owner_id: int | None = None

    def as_json(self) -> dict:
        target = None
        if self.target is not None:
            target = {
                "value": float(self.target.value),
                "value_max": float(self.target.value_max) if self.target.value_max is not None else None,
                "unit": self.target.unit,
                "comparator": self.target.comparator,
                "metric": self.target.metric,
                "baseline": self.target.baseline,
            }
        return {
            "code": self.code,
            "parent": self.parent,
            "label": self.label,
            "title": self.title,
            "kind": self.kind,
            "deadline": self.deadline.isoformat(),
            "target": target,
            "flags": self.flags,
            "source": self.source,
            "department": self.department,
            "owner": self.owner,
        }


@dataclass
class ExtractedPlan:
    title: str
    year: int
    bureau: str
    tasks: list[ExtractedTask]
    text: str
    starts_at: str = ""  # the heading or sentence the plan part starts with, when a summary comes first
    years: list[int] = field(default_factory=list)  # the years a multi-year plan names, for the user to choose

    def as_json(self) -> dict:
        return {
            "plan": {"title": self.title, "year": self.year, "bureau": self.bureau},
            "reading": {"plan_starts_at": self.starts_at, "years_named": self.years},
            "tasks": [task.as_json() for task in self.tasks],
        }
