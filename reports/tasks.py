"""Celery tasks: thin adapters over ``reports.services``."""

from celery import shared_task


@shared_task(name="reports.build_due", ignore_result=False, acks_late=True)
def build_due() -> list[int]:
    """Beat runs this every morning at 07:30; it builds the weekly and monthly reports due today.

    Idempotent (each report is claimed once), hence ``acks_late``: a worker lost mid-build is retried.
    """
    from .services import reports_build_due

    return reports_build_due()
