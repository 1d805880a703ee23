"""What an import of a task sheet reports: each row's outcome and the sheet's totals."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from plans.models import Plan

from ..sheets.rows import SheetRow


@dataclass
class RowResult:
    row: SheetRow
    action: str  # new | update | unchanged | error | skipped


@dataclass
class SheetImport:
    plan: Plan | None
    rows: list[RowResult]  # every row when kept (a preview), else the rows with errors
    unknown_departments: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)
    default_deadline: datetime.date | None = None  # for rows whose deadline cell is empty
    # Unknown department → the closest existing ones: (id, name, closeness 0-1), best first.
    suggestions: dict[str, list[tuple[int, str, float]]] = field(default_factory=dict)
    # A name as the sheet spells it → the department it matched (owners as "@name" → full name).
    matched: dict[str, str] = field(default_factory=dict)
    sheet_name: str = ""  # the sheet read, and the workbook's others
    other_sheets: list[str] = field(default_factory=list)
    written: bool = False
    errors: list[str] = field(default_factory=list)  # problems of the whole sheet
    counts: Counter = field(default_factory=Counter)
    rows_kept: bool = True  # False: ``rows`` holds only (the first) rows with errors

    @property
    def totals(self) -> dict[str, int]:
        return {action: self.counts.get(action, 0) for action in ("new", "update", "unchanged", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or self.counts.get("error", 0) > 0

    def can_apply(self, *, skip_errors: bool, create_unknown: bool) -> bool:
        """Whether applying this previewed sheet with the same choices would write it."""
        if self.errors or (self.counts.get("error", 0) and not skip_errors):
            return False
        return create_unknown or not (self.unknown_departments or self.unknown_owners)
