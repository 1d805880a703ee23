"""Celery tasks of the plans app: thin adapters over services."""

from celery import shared_task

from .import_jobs import sheet_import_job_run


# acks_late: the job row is claimed atomically, so a redelivered run does nothing twice.
@shared_task(name="plans.run_sheet_import", acks_late=True)
def run_sheet_import(job_id: str) -> str:
    return sheet_import_job_run(job_id=job_id)


@shared_task(name="plans.refresh_colours")
def refresh_colours() -> int:
    """Beat runs this just after midnight: a new day moves tasks into due soon, overdue and behind pace."""
    from django.utils import timezone

    from .services import task_colours_refresh

    return task_colours_refresh(today=timezone.localdate())
