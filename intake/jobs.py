"""Spreadsheet imports of large files that run on a Celery worker while the page shows their progress:
the preview (dry run), then the confirmed import.

The job row says where the job stands; progress counts go to the cache, because the import
itself runs in one transaction whose writes nobody else sees until it commits. A worker claims a
job with an atomic update, so a redelivered task finds nothing to do; a job whose worker died is
claimed again once it has been silent for ``STALE_AFTER``.
"""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from plans.models import Plan

from .models import SheetImportJob
from .resources import PreviewCacheStorage
from .sheet_import import SheetImport, plan_import_sheet
from .sheets.cells import row_error
from .sheets.reading import SheetReadError, open_task_sheet
from .sheets.rows import TaskSheet

logger = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=15)


def runs_in_background(data_size: int) -> bool:
    return data_size > settings.SHEET_ASYNC_BYTES


def progress_key(job_id) -> str:
    return f"plans:sheet-import:{job_id}"


def sheet_import_job_start(
    *, plan: Plan, user, file_name: str, storage_name: str, options: dict, dry_run: bool = False
) -> SheetImportJob:
    from .tasks import run_sheet_import

    with transaction.atomic():
        job = SheetImportJob.objects.create(
            plan=plan,
            user=user,
            file_name=file_name[:255],
            storage_name=storage_name,
            options=options,
            dry_run=dry_run,
        )
        run_sheet_import.delay_on_commit(str(job.pk))
        if not dry_run:
            audit_record(action=Action.IMPORT, obj=plan, actor=user, detail=f"tasks sheet {file_name[:200]}")
    return job


def sheet_import_job_run(*, job_id: str) -> str:
    """Run the job if it is free to run; return its state afterwards."""
    now = timezone.now()
    free = Q(state=SheetImportJob.State.QUEUED) | Q(
        state=SheetImportJob.State.RUNNING, started_at__lt=now - STALE_AFTER
    )
    if not SheetImportJob.objects.filter(free, pk=job_id).update(state=SheetImportJob.State.RUNNING, started_at=now):
        return SheetImportJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    job = SheetImportJob.objects.select_related("plan", "user").get(pk=job_id)
    storage = PreviewCacheStorage(name=job.storage_name, read_mode="rb")

    def progress(stage: str, done: int, total: int) -> None:
        cache.set(progress_key(job.pk), {"stage": stage, "done": done, "total": total}, timeout=3600)

    state, message, totals, preview = SheetImportJob.State.FAILED, "", {}, {}
    try:
        data = storage.read()
        if data is None:
            raise SheetReadError(
                _("The uploaded file is no longer kept (previews expire after 2 hours): upload it again.")
            )
        progress("read", 0, 0)
        options = dict(job.options)
        if options.get("allowed_departments") is not None:
            options["allowed_departments"] = set(options["allowed_departments"])
        sheet = open_task_sheet(data, job.file_name, sheet=options.pop("sheet", None) or None)
        rows = TaskSheet(sheet, plan_year=job.plan.year)
        result = plan_import_sheet(
            rows=rows, plan=job.plan, user=job.user, dry_run=job.dry_run, keep_rows=False, progress=progress, **options
        )
        totals = result.totals
        if job.dry_run:
            state, preview = SheetImportJob.State.DONE, _preview(result, job.options)  # the file stays for the confirm
        elif result.written:
            state = SheetImportJob.State.DONE
            storage.remove()
        else:
            problems = result.errors + [row_error(r.row.row, e) for r in result.rows for e in r.row.errors]
            message = "; ".join(problems[:20])
    except (SheetReadError, ValidationError) as error:
        message = "; ".join(getattr(error, "messages", [str(error)]))
    except Exception:
        logger.exception("sheet import job %s failed", job.pk)
        message = _(
            "The import stopped on an unexpected error; nothing was written. The administrators can see it in the log."
        )
    SheetImportJob.objects.filter(pk=job.pk).update(
        state=state, message=message, totals=totals, preview=preview, finished_at=timezone.now()
    )
    return state


def _preview(result: SheetImport, options: dict) -> dict:
    """What the page shows of a dry run: JSON, small whatever the sheet's size."""
    return {
        # Names not found are settled by the choices on the page (an existing department, none or a new one).
        "ready": result.can_apply(skip_errors=options.get("skip_errors", False), create_unknown=True),
        "suggestions": result.suggestions,
        "errors": result.errors,
        "unknown_departments": result.unknown_departments,
        "unknown_owners": result.unknown_owners,
        "rows": [
            {"row": item.row.row, "code": item.row.code, "title": item.row.title, "errors": item.row.errors}
            for item in result.rows
        ],
        "more_rows": max(result.totals["error"] - len(result.rows), 0),
    }


def sheet_import_job_status(job: SheetImportJob) -> dict:
    counts = cache.get(progress_key(job.pk)) or {}
    return {
        "state": job.state,
        "state_label": str(SheetImportJob.State(job.state).label),
        "stage": counts.get("stage", ""),
        "done": counts.get("done", 0),
        "total": counts.get("total", 0),
        "totals": job.totals,
        "message": job.message,
    }
