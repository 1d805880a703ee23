"""Every write of progress goes through here."""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_manager
from plans.models import Evidence, ProgressUpdate, ReviewState, Task, validate_period
from plans.selectors import task_scope

from .derived import task_derived_refresh
from .evidence import evidence_check, evidence_storage_name
from .periods import period_has_begun, period_label

_FROM_DATABASE = object()
# A figure over this many times the target is checked by its sender before it is sent.
IMPLAUSIBLE_TARGET_MULTIPLE = 10


def _figure(value: Decimal) -> str:
    return f"{value.normalize():f}"


def last_approved_values(task_ids) -> dict[int, Decimal]:
    """Each task's latest approved figure: what a new cumulative figure is compared with.

    A report waiting for review or returned is no yardstick: only what a manager accepted is."""
    found: dict[int, Decimal] = {}
    approved = (
        ProgressUpdate.objects.filter(task_id__in=task_ids, state=ReviewState.APPROVED)
        .exclude(value=None)
        .order_by("task_id", "-reported_at", "-pk")
        .values_list("task_id", "value")
    )
    for task_id, value in approved:
        found.setdefault(task_id, value)
    return found


def progress_check(
    *,
    task: Task,
    value: Decimal | None,
    percent: Decimal | None,
    period: str | None = None,
    correction_note: str = "",
    confirmed: bool = False,
    previous_value=_FROM_DATABASE,
    today: datetime.date | None = None,
) -> None:
    """The rules one report must meet, as field errors: the one set of rules for the site's form, the
    admin and ledger imports (through progress_report_many).

    ``previous_value``: the cumulative figure this report follows, by default the last approved one.
    A figure far from plausible (over ten times the target) needs ``confirmed`` and a note saying why.
    """
    errors: dict[str, list[str]] = {}
    if task.kind == Task.Kind.SECTION:
        raise ValidationError(_("“%(code)s” is a section; report on its tasks.") % {"code": task.code})
    if period is not None:
        try:
            validate_period(period)
        except ValidationError as error:
            errors["period"] = error.messages
        else:
            if not period_has_begun(period, today=today or timezone.localdate()):
                errors["period"] = [
                    _("%(period)s has not begun yet: report on a period that has.") % {"period": period_label(period)}
                ]
    note = correction_note.strip()
    if task.kind == Task.Kind.QUANTITATIVE:
        if value is None:
            errors.setdefault("value", []).append(_("Report the actual value for a quantitative task."))
        elif value < 0 and task.measure == Task.Measure.CUMULATIVE:
            errors.setdefault("value", []).append(_("A cumulative count cannot be negative."))
        elif task.unit == "%" and task.measure == Task.Measure.RATIO and value > 100:
            errors.setdefault("value", []).append(_("A ratio cannot be over 100%."))
        else:
            if task.measure == Task.Measure.CUMULATIVE and not note:
                if previous_value is _FROM_DATABASE:
                    last = last_approved_values([task.pk]).get(task.pk)
                else:
                    last = previous_value
                if last is not None and value < last:
                    errors.setdefault("correction_note", []).append(
                        _(
                            "The cumulative actual falls from %(last)s to %(new)s (the last approved figure): "
                            "add a correction note."
                        )
                        % {"last": _figure(last), "new": _figure(value)}
                    )
            target = task.target_value
            if target and target > 0 and value > target * IMPLAUSIBLE_TARGET_MULTIPLE and not (confirmed and note):
                errors.setdefault("confirm", []).append(
                    _(
                        "%(value)s%(unit)s is more than ten times the target (%(target)s%(unit)s). Check the figure; "
                        "if it is right, tick the confirmation and say why in the note."
                    )
                    % {"value": _figure(value), "target": _figure(target), "unit": task.unit}
                )
    elif task.kind == Task.Kind.MILESTONE:
        if percent is None:
            errors.setdefault("percent", []).append(_("Report how far along the milestone is (0–100)."))
        elif not 0 <= percent <= 100:
            errors.setdefault("percent", []).append(_("The percent must be between 0 and 100."))
    if errors:
        raise ValidationError(errors)


@dataclass
class ReportRow:
    """One report to record: from the task page, the admin or a row of a ledger."""

    task: Task
    period: str
    value: Decimal | None = None
    percent: Decimal | None = None
    narrative: str = ""
    correction_note: str = ""
    confirmed: bool = False
    evidence_files: Sequence = ()
    reported_at: datetime.datetime | None = None  # a report recorded afterwards (demo data, tests)
    error: ValidationError | None = None
    update: ProgressUpdate | None = None

    def check(self, **known) -> None:
        """progress_check of this report; ``known``: its previous_value and today, where the caller has them."""
        progress_check(
            task=self.task,
            period=self.period,
            value=self.value,
            percent=self.percent,
            correction_note=self.correction_note,
            confirmed=self.confirmed,
            **known,
        )

    def stored_fields(self) -> dict:
        """What a progress update keeps of the report as sent."""
        return {
            "period": self.period,
            "value": self.value,
            "percent": self.percent,
            "narrative": self.narrative,
            "correction_note": self.correction_note,
        }


@contextmanager
def _evidence_kept_only_on_success() -> Iterator[list[Evidence]]:
    """The evidence stored in the list goes again when the report fails: nothing half-written."""
    stored: list[Evidence] = []
    try:
        yield stored
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise


def _store_evidence(update: ProgressUpdate, files: Sequence, stored: list[Evidence]) -> None:
    for upload in files:
        evidence = Evidence(update=update, original_name=upload.name, size=upload.size)
        evidence.file.save(evidence_storage_name(upload.name), upload, save=False)
        stored.append(evidence)
        evidence.save()


def progress_report_many(
    *,
    rows: Sequence[ReportRow],
    user,
    dry_run: bool = False,
    skip_errors: bool = False,
    today: datetime.date | None = None,
) -> list[ProgressUpdate]:
    """Record reports, all or nothing: the one way progress is reported (site, admin, ledger import).

    Each row is checked by progress_check against the last approved figure of its task, or the row
    above it for the same task (a ledger's rows are reported one after another). A row that breaks a
    rule gets its ``error``; then nothing is written, unless ``skip_errors`` writes the good rows.
    A manager's reports count at once; staff reports wait for review.
    """
    today = today or timezone.localdate()
    task_ids = {row.task.pk for row in rows}
    if len(task_scope(user).filter(pk__in=task_ids).values_list("pk", flat=True)) != len(task_ids):
        raise PermissionDenied(_("You may only report on your own departments' tasks."))
    for row in rows:
        try:
            for upload in row.evidence_files:
                evidence_check(upload)
        except ValidationError as error:
            row.error = ValidationError({"evidence_files": error.messages})
    manager = is_manager(user)
    now = timezone.now()
    with _evidence_kept_only_on_success() as stored, transaction.atomic():
        if not dry_run:  # one report at a time per task, so that each is checked against the one before
            list(Task.objects.select_for_update().filter(pk__in=task_ids).order_by("pk").values_list("pk"))
        previous = last_approved_values(task_ids)
        # A manager's report counts at once; staff have at most one report a period waiting for review.
        waiting = set() if manager else _waiting_periods(task_ids)
        for row in rows:
            if row.error is not None:
                continue
            try:
                row.check(previous_value=previous.get(row.task.pk), today=today)
                if (row.task.pk, row.period) in waiting:
                    raise _already_waiting(row.period)
            except ValidationError as error:
                row.error = error
                continue
            if not manager:
                waiting.add((row.task.pk, row.period))
            if row.value is not None:
                previous[row.task.pk] = row.value
        good = [row for row in rows if row.error is None]
        if dry_run or (len(good) < len(rows) and not skip_errors):
            return []
        for index, row in enumerate(good):
            row.update = ProgressUpdate(
                state=ReviewState.APPROVED if manager else ReviewState.SUBMITTED,
                reviewed_by=user if manager else None,
                reviewed_at=now if manager else None,
                task=row.task,
                **row.stored_fields(),
                reported_by=user,
                # Keep the rows' own order among updates written in the same instant.
                reported_at=row.reported_at or now + datetime.timedelta(microseconds=index),
            )
            row.update.full_clean(exclude=["task", "reported_by", "reviewed_by"])
        ProgressUpdate.objects.bulk_create([row.update for row in good], batch_size=1000)
        for row in good:
            _store_evidence(row.update, row.evidence_files, stored)
        if manager and good:
            task_derived_refresh(task_ids={row.task.pk for row in good}, today=timezone.localdate())
    return [row.update for row in good]


def _waiting_periods(task_ids, *, besides: int | None = None) -> set[tuple[int, str]]:
    """(task, period) of the reports of these tasks that wait for review, but the one ``besides``."""
    waiting = ProgressUpdate.objects.filter(task_id__in=task_ids, state=ReviewState.SUBMITTED).exclude(pk=besides)
    return set(waiting.values_list("task_id", "period"))


def _already_waiting(period: str) -> ValidationError:
    message = _("A report for %(period)s is already waiting for review: correct or withdraw it on the task's page.")
    return ValidationError({"period": [message % {"period": period_label(period)}]})


def progress_report(*, reported_by, **report) -> ProgressUpdate:
    """Record one progress update with its evidence files (progress_report_many of one row).

    ``report``: the fields of a ReportRow (task, period, value, percent, narrative, …)."""
    row = ReportRow(**report)
    progress_report_many(rows=[row], user=reported_by)
    if row.error is not None:
        raise row.error
    return row.update


def _own_waiting(update: ProgressUpdate, user) -> ProgressUpdate:
    """The sender's own report, locked, while it still waits for review."""
    if update.reported_by_id != user.pk:
        raise PermissionDenied(_("Only the person who sent a report may withdraw or correct it."))
    locked = ProgressUpdate.objects.select_for_update().filter(pk=update.pk, state=ReviewState.SUBMITTED).first()
    if locked is None:
        raise ValidationError(_("This report has already been reviewed: it can no longer be withdrawn or corrected."))
    return locked


@transaction.atomic
def progress_withdraw(*, update: ProgressUpdate, user) -> None:
    """Take back a report nobody has reviewed yet; it and its evidence files are gone."""
    locked = _own_waiting(update, user)
    names = [evidence.file.name for evidence in locked.evidence.all()]
    ProgressUpdate.objects.filter(pk=locked.pk, state=ReviewState.SUBMITTED).delete()
    storage = Evidence._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def progress_correct(*, update: ProgressUpdate, user, **report) -> ProgressUpdate:
    """Change a report that waits for review (the same rules as a new one); its evidence is kept and
    the new files are added.

    ``report``: the fields of a ReportRow but its task (period, value, percent, narrative, …)."""
    row = ReportRow(task=update.task, **report)
    for upload in row.evidence_files:
        evidence_check(upload)
    with _evidence_kept_only_on_success() as stored, transaction.atomic():
        Task.objects.select_for_update().filter(pk=update.task_id).first()
        locked = _own_waiting(update, user)
        row.task = locked.task  # checked against the task as it stands under the lock
        row.check()
        if (row.task.pk, row.period) in _waiting_periods([row.task.pk], besides=locked.pk):
            raise _already_waiting(row.period)
        ProgressUpdate.objects.filter(pk=locked.pk, state=ReviewState.SUBMITTED).update(
            **row.stored_fields(), reported_at=timezone.now()
        )
        locked.refresh_from_db()
        _store_evidence(locked, row.evidence_files, stored)
    return locked
