"""django-import-export's side of the task sheet import: the file format and the resource.

The admin's import screens, dry-run preview and confirm step are django-import-export's.
Reading and writing are the project's own (``plans.sheets``, ``plans.sheet_import``):
python-calamine behind a zip-bomb check instead of openpyxl, one pass over the rows,
bulk upserts, all or nothing.
"""

from itertools import islice

from django.core.exceptions import ValidationError
from import_export import resources
from import_export.formats.base_formats import Format
from import_export.results import Error, Result, RowResult
from import_export.tmp_storages import CacheStorage

from .models import Task
from .sheet_import import SheetImport, plan_import_sheet
from .sheet_import.heap import older_objects_frozen
from .sheets.headers import require_header
from .sheets.reading import OpenSheet, open_sheet
from .sheets.rows import TaskSheet

PREVIEW_COLUMNS = [
    "行号 / Row",
    "编号 / Code",
    "重点任务 / Task",
    "具体目标 / Target",
    "责任单位 / Department",
    "责任人 / Owner",
    "完成时限 / Deadline",
    "说明 / Notes",
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
    """xlsx, xls or csv, told apart by their content; read safely by ``plans.sheets.reading``."""

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
        sheet = open_sheet(in_stream, "upload")
        require_header(list(islice(sheet, 15)))
        return sheet


class TaskSheetResource(resources.ModelResource):
    """Tasks by their natural key (plan, code). ``import_data`` runs the project's sheet import."""

    class Meta:
        model = Task
        fields = (
            "code",
            "title",
            "metric",
            "target_value",
            "target_value_max",
            "unit",
            "comparator",
            "lead_department",
            "owner",
            "deadline",
        )
        import_id_fields = ("code",)
        skip_unchanged = True
        clean_model_instances = True

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
            )
            return as_import_export_result(
                result, skip_errors=kwargs.get("skip_errors", False), create_unknown=kwargs.get("create_unknown", False)
            )


def as_import_export_result(sheet: SheetImport, *, skip_errors: bool, create_unknown: bool) -> Result:
    """The project's per-row outcome in the shape django-import-export's screens render."""
    result = Result()
    result.diff_headers = PREVIEW_COLUMNS
    result.sheet = sheet
    unknown = set(sheet.unknown_departments) | set(sheet.unknown_owners)
    for error in sheet.errors:
        result.append_base_error(Error(ValidationError(error)))
    for item in sheet.rows:
        row = item.row
        notes = list(row.errors)
        if not create_unknown:
            notes += [
                f"{name}: not found; tick “create unknown” to add it"
                for name in (row.department, row.owner)
                if name and name in unknown
            ]
        values = [
            row.row,
            row.code,
            row.title,
            row.target_text,
            row.department,
            row.owner,
            (row.deadline or sheet.default_deadline or "").__str__(),
            "；".join(notes),
        ]
        record = dict(zip(PREVIEW_COLUMNS, values, strict=True))
        if (item.action == "error" and not skip_errors) or (notes and not row.errors and not create_unknown):
            result.append_invalid_row(row.row, record, ValidationError(notes or ["?"]))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            continue
        row_result = RowResult()
        row_result.import_type = ROW_TYPES.get(item.action, RowResult.IMPORT_TYPE_SKIP)
        row_result.diff = values
        row_result.object_repr = f"{row.code} {row.title}"
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    if not sheet.rows_kept:  # an applied sheet keeps only its rows with errors: count the rest
        counts = sheet.counts
        result.totals[RowResult.IMPORT_TYPE_NEW] = counts["new"]
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = counts["update"]
        result.totals[RowResult.IMPORT_TYPE_SKIP] = counts["unchanged"] + counts["skipped"]
    return result
