"""Celery tasks of the plans app: thin adapters over services."""

from celery import shared_task

from .jobs import sheet_import_job_run


# acks_late: the job row is claimed atomically, so a redelivered run does nothing twice.
@shared_task(name="plans.run_sheet_import", acks_late=True)
def run_sheet_import(job_id: str) -> str:
    return sheet_import_job_run(job_id=job_id)
