"""Every write of progress goes through here."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_manager
from plans.models import Task
from plans.selectors import task_scope

from .derived import task_derived_refresh
from .evidence import evidence_check, evidence_storage_name
from .models import Evidence, ProgressUpdate, ReviewState

_FROM_DATABASE = object()


def progress_check(
    *,
    task: Task,
    value: Decimal | None,
    percent: Decimal | None,
    correction_note: str = "",
    previous_value=_FROM_DATABASE,
) -> None:
    """The rules a report must meet, as field errors (shared by forms, the service and ledger imports).

    ``previous_value``: the cumulative actual this report follows; read from the database unless given
    (a ledger import checks its rows against the rows above them).
    """
    errors: dict[str, list[str]] = {}
    if task.kind == Task.Kind.SECTION:
        raise ValidationError(_("“%(code)s” is a section; report on its tasks.") % {"code": task.code})
    if task.kind == Task.Kind.QUANTITATIVE:
        if value is None:
            errors.setdefault("value", []).append(_("Report the actual value for a quantitative task."))
        elif value < 0 and task.measure == Task.Measure.CUMULATIVE:
            errors.setdefault("value", []).append(_("A cumulative count cannot be negative."))
        elif task.unit == "%" and task.measure == Task.Measure.RATIO and value > 100:
            errors.setdefault("value", []).append(_("A ratio cannot be over 100%."))
        elif task.measure == Task.Measure.CUMULATIVE and not correction_note.strip():
            if previous_value is _FROM_DATABASE:
                latest = (
                    task.updates.exclude(value=None).exclude(state=ReviewState.RETURNED).order_by("-reported_at", "-pk")
                )
                last = latest.values_list("value", flat=True).first()
            else:
                last = previous_value
            if last is not None and value < last:
                errors.setdefault("correction_note", []).append(
                    _("The cumulative actual falls from %(last)s to %(new)s: add a correction note.")
                    % {"last": f"{last.normalize():f}", "new": f"{value.normalize():f}"}
                )
    elif task.kind == Task.Kind.MILESTONE:
        if percent is None:
            errors.setdefault("percent", []).append(_("Report how far along the milestone is (0–100)."))
        elif not 0 <= percent <= 100:
            errors.setdefault("percent", []).append(_("The percent must be between 0 and 100."))
    if errors:
        raise ValidationError(errors)


def progress_report(
    *,
    task: Task,
    reported_by,
    period: str,
    value: Decimal | None = None,
    percent: Decimal | None = None,
    narrative: str = "",
    correction_note: str = "",
    evidence_files: Sequence = (),
    reported_at: datetime.datetime | None = None,
) -> ProgressUpdate:
    """Record a progress update with its evidence files, all or nothing."""
    if not task_scope(reported_by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("You may only report on your own departments' tasks."))
    for upload in evidence_files:
        evidence_check(upload)
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            Task.objects.select_for_update().filter(pk=task.pk).first()
            progress_check(task=task, value=value, percent=percent, correction_note=correction_note)
            manager = is_manager(reported_by)
            update = ProgressUpdate(
                # A manager's own report needs no second look; staff reports wait for review.
                state=ReviewState.APPROVED if manager else ReviewState.SUBMITTED,
                reviewed_by=reported_by if manager else None,
                reviewed_at=timezone.now() if manager else None,
                task=task,
                period=period,
                value=value,
                percent=percent,
                narrative=narrative,
                correction_note=correction_note,
                reported_by=reported_by,
                reported_at=reported_at or timezone.now(),
            )
            update.full_clean()
            update.save()
            if update.state == ReviewState.APPROVED:
                task_derived_refresh(task_ids=[task.pk], today=timezone.localdate())
            for upload in evidence_files:
                evidence = Evidence(update=update, original_name=upload.name, size=upload.size)
                evidence.file.save(evidence_storage_name(upload.name), upload, save=False)
                stored.append(evidence)
                evidence.save()
    except Exception:
        for evidence in stored:  # nothing half-written: files of a failed report go too
            evidence.file.delete(save=False)
        raise
    return update
