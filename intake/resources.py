"""django-import-export's side of the task sheet import: the file format and the resource.

The admin's import screens, dry-run preview and confirm step are django-import-export's.
Reading and writing are the project's own (``intake.sheets``, ``intake.sheet_import``, then
``plans.task_writes`` as every other task write): python-calamine behind a zip-bomb check instead
of openpyxl, one pass over the rows, bulk upserts, all or nothing.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.formats.base_formats import Format
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import CacheStorage

from plans.models import format_target

from .sheet_import import SheetImport, plan_import_sheet
from .sheet_import.heap import older_objects_frozen
from .sheets.reading import OpenSheet, open_task_sheet
from .sheets.rows import TaskSheet

PREVIEW_COLUMNS = [
    "行号",
    "序号",
    "类型",
    "重点任务",
    "具体目标（读出）",
    "完成时限",
    "牵头科室",
    "配合科室",
    "责任人",
    "处理结果",
]
ROW_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "update": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
    "skipped": RowResult.IMPORT_TYPE_SKIP,
}


class PreviewCacheStorage(CacheStorage):
    """The uploaded file between preview and confirm, in the shared cache (Redis in production),
    so that the two requests may reach different processes. An abandoned preview expires in 2 hours."""

    CACHE_LIFETIME = 2 * 3600


class SpreadsheetFormat(Format):
    """xlsx, xls or csv, told apart by their content; read safely by ``intake.sheets.reading``."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # csv may be UTF-8 or GBK: the reader finds out

    def get_title(self):
        return "xlsx / xls / csv"

    def get_extension(self):
        return "xlsx"

    def can_import(self):
        return True

    def create_dataset(self, in_stream):
        # The opened sheet, not a tablib Dataset: its rows become Python objects a chunk at a time.
        # The first sheet with a task header; the import picks another one when the form names it.
        return open_task_sheet(in_stream, gettext("the uploaded file"))


class TaskSheetResource(resources.Resource):
    """The admin's import screens' resource: ``import_data`` runs the project's sheet import, which
    checks the rows and writes them through the plans' one write path (``plans.task_writes``). No
    ``Meta``: django-import-export's field mapping and row saving are not used, so nothing would read it."""

    @classmethod
    def get_display_name(cls):  # the admin's import form names its resource (a ModelResource's own)
        return cls.__name__

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        plan = kwargs["plan"]
        user = kwargs.get("user")
        raw = dataset if isinstance(dataset, OpenSheet) else [list(row) for row in dataset]
        wanted = kwargs.get("sheet")
        if wanted and isinstance(raw, OpenSheet) and wanted != raw.sheet:
            raw = raw.reopen(wanted)
        # The preview's outcome of every row is made here too, after the import proper.
        with older_objects_frozen():
            rows = TaskSheet(raw, plan_year=plan.year)
            result = plan_import_sheet(
                rows=rows,
                plan=plan,
                user=user,
                dry_run=dry_run,
                skip_errors=kwargs.get("skip_errors", False),
                create_unknown=kwargs.get("create_unknown", False),
                allowed_departments=kwargs.get("allowed_departments"),
                resolutions=kwargs.get("resolutions"),
            )
            result.sheet_name = rows.sheet_name
            result.other_sheets = [name for name in rows.sheet_names if name != rows.sheet_name]
            return as_import_export_result(
                result, skip_errors=kwargs.get("skip_errors", False), create_unknown=kwargs.get("create_unknown", False)
            )


def as_import_export_result(sheet: SheetImport, *, skip_errors: bool, create_unknown: bool) -> Result:
    """The project's per-row outcome in the shape django-import-export's screens render: for each row,
    what was read (target, deadline, the department and owner it matched) and what will happen."""
    result = Result()
    result.diff_headers = PREVIEW_COLUMNS
    result.sheet = sheet
    for error in sheet.errors:
        result.append_base_error(Error(ValidationError(error)))
    for item in sheet.rows:
        row = item.row
        values = preview_values(item, sheet)
        if item.action == "error" and not skip_errors:
            record = dict(zip(PREVIEW_COLUMNS, values, strict=True))
            result.append_invalid_row(row.row, record, ValidationError(list(row.errors) or ["?"]))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            continue
        row_result = RowResult()
        row_result.import_type = ROW_TYPES.get(item.action, RowResult.IMPORT_TYPE_SKIP)
        row_result.diff = values
        row_result.outcome = item.action
        row_result.object_repr = f"{row.code} {row.title}"
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    if not sheet.rows_kept:  # an applied sheet keeps only its rows with errors: count the rest
        counts = sheet.counts
        result.totals[RowResult.IMPORT_TYPE_NEW] = counts["new"]
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = counts["update"]
        result.totals[RowResult.IMPORT_TYPE_SKIP] = counts["unchanged"] + counts["skipped"]
    return result


SKIPPED = {
    "note": _("skipped: a note under the table"),
    "total": _("skipped: a total row"),
    "header": _("skipped: the header repeated"),
    "empty": _("skipped: a number with no task"),
}


def preview_values(item, sheet: SheetImport) -> list:
    """One preview row: 行号, 序号, 类型, 重点任务, 目标, 时限, 牵头科室, 配合科室, 责任人, 处理结果."""
    row = item.row
    if row.skipped:
        return [row.row, "", gettext("note"), row.title, "", "", "", "", "", str(SKIPPED.get(row.skipped, ""))]
    kind = gettext("category") if row.is_category else gettext("task")
    target = ""
    if row.target is not None:
        target = format_target(row.target.comparator, row.target.value, row.target.value_max, row.target.unit)
        if row.target.metric:
            target = f"{row.target.metric} {target}"
    elif not row.is_category:
        target = gettext("milestone (no figure)")
    deadline = ""
    if not row.is_category:
        deadline = str(row.deadline or sheet.default_deadline or "")
        if row.deadline is None:
            deadline += gettext(" (empty: the plan's end)")
    matched = sheet.matched
    department = _name_shown(row.department, matched.get(row.department), sheet.unknown_departments)
    supporting = "、".join(
        _name_shown(name, matched.get(name), sheet.unknown_departments) for name in row.supporting or []
    )
    owner = _name_shown(row.owner, matched.get(f"@{row.owner}"), sheet.unknown_owners)
    if item.action == "update" and row.changes:
        outcome = gettext("changed: ") + "；".join(f"{name} {old} → {new}" for name, old, new in row.changes)
    elif item.action in ("error", "skipped") and row.errors:
        outcome = gettext("error: ") + "；".join(row.errors)
    else:
        outcome = str(ACTIONS.get(item.action, item.action))
    return [row.row, row.code, kind, row.title, target, deadline, department, supporting, owner, outcome]


ACTIONS = {
    "new": _("new"),
    "update": _("changed"),
    "unchanged": _("unchanged"),
    "skipped": _("skipped"),
    "error": _("with errors"),
}


def _name_shown(name: str, matched: str | None, unknown: list[str]) -> str:
    if not name:
        return ""
    if name in unknown:
        return gettext("%(name)s (not found: see the choices above)") % {"name": name}
    if matched and matched != name:
        return f"{name} → {matched}"
    return name
