"""The managers' review of what staff send up: progress reports, extension and closure requests.

Each request is approved or returned with a reason; returning one tells the person who sent it.
Only managers review, and a reviewed item cannot be reviewed again.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_manager
from audit.models import Action
from audit.services import audit_record
from plans import services as plan_services
from plans.models import ProgressUpdate, ReviewState, Task
from plans.pacing import percent_complete
from plans.selectors import task_scope

from .derived import task_derived_refresh
from .models import ClosureRequest, ExtensionRequest
from .signals import item_returned

REVIEWABLE = ProgressUpdate | ExtensionRequest | ClosureRequest


def _claim(item: REVIEWABLE, *, reviewer, state: str, note: str) -> REVIEWABLE:
    """Move a submitted item to its reviewed state; a second reviewer finds it already done."""
    if not is_manager(reviewer):
        raise PermissionDenied(_("Only managers review reports and requests."))
    if state == ReviewState.RETURNED and not note.strip():
        raise ValidationError({"review_note": _("Say why it is returned.")})
    model = type(item)
    claimed = model.objects.filter(pk=item.pk, state=ReviewState.SUBMITTED).update(
        state=state, reviewed_by=reviewer, reviewed_at=timezone.now(), review_note=note
    )
    if not claimed:
        raise ValidationError(_("This has already been reviewed."))
    item.refresh_from_db()
    audit_record(action=Action.APPROVAL, obj=item, actor=reviewer, detail=f"state={state}")
    return item


@transaction.atomic
def item_return(*, item: REVIEWABLE, reviewer, reason: str) -> REVIEWABLE:
    """Give a report or request back with the reason; its sender is told in this transaction (the
    outbox, ``reminders.notices``, receives the signal)."""
    item = _claim(item, reviewer=reviewer, state=ReviewState.RETURNED, note=reason)
    item_returned.send(sender=type(item), item=item)
    return item


@transaction.atomic
def progress_approve(*, update: ProgressUpdate, reviewer) -> ProgressUpdate:
    update = _claim(update, reviewer=reviewer, state=ReviewState.APPROVED, note="")
    task_derived_refresh(task_ids=[update.task_id], today=timezone.localdate())
    return update


def progress_return(*, update: ProgressUpdate, reviewer, reason: str) -> ProgressUpdate:
    return item_return(item=update, reviewer=reviewer, reason=reason)


def extension_limit(task: Task) -> datetime.date:
    """The latest deadline an extension may ask for: the end of the plan's year plus
    EXTENSION_LIMIT_YEARS (by default the end of the next plan year)."""
    return datetime.date(task.plan.year + settings.EXTENSION_LIMIT_YEARS, 12, 31)


def extension_check(*, task: Task, requested_by, new_deadline: datetime.date | None, reason: str) -> None:
    """The rules of an extension request, shared by the service and the admin's form."""
    if not task_scope(requested_by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("You may only ask for extensions of your own departments' tasks."))
    if ExtensionRequest.objects.filter(task=task, state=ReviewState.SUBMITTED).exists():
        raise ValidationError(_("This task already has an extension request waiting for review."))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the extension.")
    limit = extension_limit(task)
    if new_deadline is not None and new_deadline <= task.deadline:
        errors["new_deadline"] = _("The new deadline must be after the current one (%(date)s).") % {
            "date": task.deadline
        }
    elif new_deadline is not None and new_deadline > limit:
        errors["new_deadline"] = _("The new deadline can be no later than %(date)s: the bureau's limit.") % {
            "date": limit
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def extension_request(*, task: Task, requested_by, new_deadline: datetime.date, reason: str) -> ExtensionRequest:
    """Ask for a later deadline; the task keeps its deadline until a manager approves."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    extension_check(task=task, requested_by=requested_by, new_deadline=new_deadline, reason=reason)
    request = ExtensionRequest(
        task=task, requested_by=requested_by, current_deadline=task.deadline, new_deadline=new_deadline, reason=reason
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def extension_approve(*, request: ExtensionRequest, reviewer) -> ExtensionRequest:
    request = _claim(request, reviewer=reviewer, state=ReviewState.APPROVED, note="")
    plan_services.task_extend_deadline(task=request.task, new_deadline=request.new_deadline, user=reviewer)
    return request


def extension_return(*, request: ExtensionRequest, reviewer, reason: str) -> ExtensionRequest:
    return item_return(item=request, reviewer=reviewer, reason=reason)


def target_reached(task: Task, update: ProgressUpdate | None) -> bool:
    """Whether the figure a closure rests on (its final report, else the last approved) meets a number target."""
    if task.kind != Task.Kind.QUANTITATIVE or task.target_value is None:
        return True
    actual = update.value if update is not None and update.value is not None else task.reported_value
    done = percent_complete(
        kind=task.kind,
        comparator=task.comparator,
        target_value=task.target_value,
        baseline=task.baseline,
        actual=actual,
        milestone_percent=None,
    )
    return done is not None and done >= 100


def closure_check(*, task: Task, requested_by, update: ProgressUpdate | None = None, note: str = "") -> None:
    """The rules of a closure request, shared by the service and the admin's form: a note saying how
    it was done, and evidence when a number target is not reached."""
    if not task_scope(requested_by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("You may only report your own departments' tasks done."))
    if task.kind == Task.Kind.SECTION:
        raise ValidationError(_("A section is done when its tasks are done."))
    if task.completed_on:
        raise ValidationError(_("This task is already closed."))
    if update is not None and update.task_id != task.pk:
        raise ValidationError({"update": _("The update belongs to another task.")})
    if ClosureRequest.objects.filter(task=task, state=ReviewState.SUBMITTED).exists():
        raise ValidationError(_("This task already has a closure request waiting for review."))
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("Say how the task was done.")
    if not target_reached(task, update) and (update is None or not update.evidence.exists()):
        errors["update"] = _(
            "The target (%(target)s%(unit)s) is not reached: report the final figure with evidence "
            "(佐证材料) first, then report the task done."
        ) % {"target": f"{task.target_value.normalize():f}", "unit": task.unit}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def closure_request(
    *, task: Task, requested_by, update: ProgressUpdate | None = None, note: str = ""
) -> ClosureRequest:
    """Report a task done (办结), with the update that shows it; a manager then closes it."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    closure_check(task=task, requested_by=requested_by, update=update, note=note)
    request = ClosureRequest(task=task, requested_by=requested_by, update=update, note=note)
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def closure_approve(*, request: ClosureRequest, reviewer, on: datetime.date | None = None) -> ClosureRequest:
    request = _claim(request, reviewer=reviewer, state=ReviewState.APPROVED, note="")
    if request.update_id and request.update.state == ReviewState.SUBMITTED:
        progress_approve(update=request.update, reviewer=reviewer)  # closing a task accepts its final report
    plan_services.task_mark_completed(task=request.task, on=on or timezone.localdate(), user=reviewer)
    return request


def closure_return(*, request: ClosureRequest, reviewer, reason: str) -> ClosureRequest:
    return item_return(item=request, reviewer=reviewer, reason=reason)


@dataclass
class ReviewOutcome:
    done: int = 0
    already: int = 0


APPROVE = {ProgressUpdate: progress_approve, ExtensionRequest: extension_approve, ClosureRequest: closure_approve}
_ARGUMENT = {ProgressUpdate: "update", ExtensionRequest: "request", ClosureRequest: "request"}


def review_items(*, items, reviewer, approve: bool, reason: str = "") -> ReviewOutcome:
    """Approve (or return, with one reason) several reports and requests: the site's queue and the admin."""
    if not is_manager(reviewer):
        raise PermissionDenied(_("Only managers review reports and requests."))
    if not approve and not reason.strip():
        raise ValidationError({"review_note": _("Say why it is returned.")})
    outcome = ReviewOutcome()
    for item in items:
        if item.state != ReviewState.SUBMITTED:
            outcome.already += 1
            continue
        try:
            if approve:
                APPROVE[type(item)](**{_ARGUMENT[type(item)]: item}, reviewer=reviewer)
            else:
                item_return(item=item, reviewer=reviewer, reason=reason)
            outcome.done += 1
        except ValidationError:
            outcome.already += 1  # reviewed by someone else meanwhile
    return outcome


def review_summary(outcome: ReviewOutcome, *, approve: bool) -> str:
    """What a review did, in words that differ for approving and returning."""
    text = (_("Approved %(n)d.") if approve else _("Returned %(n)d.")) % {"n": outcome.done}
    if outcome.already:
        text += " " + _("%(n)d had already been reviewed by someone else.") % {"n": outcome.already}
    return text
