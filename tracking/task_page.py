"""A task's own page for staff: its figures and history, and what they do with it — report progress
(with evidence), withdraw or correct a report nobody has reviewed yet, send a returned one again, ask
for more time, report it done — each through its service."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plans.models import ProgressUpdate, ReviewState, Task
from plans.selectors import task_scope, with_progress

from .forms import ClosureForm, ExtensionForm, ReportForm
from .reviews import closure_request, extension_limit, extension_request
from .services import progress_withdraw

HISTORY_LENGTH = 50


def _attach(form, error: ValidationError) -> None:
    if hasattr(form, "attach"):
        form.attach(error)
    elif hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _own_update(updates, pk, *, state: str, user):
    """One of the listed updates, the user's own and in ``state``; None otherwise."""
    try:
        pk = int(pk or 0)
    except ValueError:
        return None
    return next(
        (u for u in updates if u.pk == pk and u.state == state and u.reported_by_id == user.pk),
        None,
    )


def _returned_reports(updates, user) -> list[ProgressUpdate]:
    """The user's returned reports not yet sent again (no later report of theirs for the same period)."""
    resent, result = set(), []
    for update in updates:  # newest first
        if update.reported_by_id != user.pk:
            continue
        if update.state == ReviewState.RETURNED and update.period not in resent:
            result.append(update)
        resent.add(update.period)
    return result


@require_http_methods(["GET", "POST"])
def task_page(request, pk: int):
    today = timezone.localdate()
    task = (
        with_progress(task_scope(request.user).filter(pk=pk), today=today)
        .select_related("plan", "lead_department", "owner")
        .first()
    )
    if task is None:
        raise Http404
    updates = list(
        task.updates.select_related("reported_by", "reviewed_by").prefetch_related("evidence")[:HISTORY_LENGTH]
    )
    post = request.POST if request.method == "POST" else {}
    action = post.get("action")
    # A waiting report being corrected, or a returned one being sent again (its figures filled in).
    correcting = _own_update(
        updates, post.get("update") or request.GET.get("correct"), state=ReviewState.SUBMITTED, user=request.user
    )
    if action == "correct" and correcting is None:  # reviewed (or withdrawn) meanwhile: never a silent new report
        messages.error(request, _("This report has already been reviewed: it can no longer be withdrawn or corrected."))
        return redirect("task", pk=task.pk)
    again = _own_update(updates, request.GET.get("again"), state=ReviewState.RETURNED, user=request.user)
    posted = action in ("report", "correct")
    report = ReportForm(
        post if posted else None,
        request.FILES if posted else None,
        instance=correcting if action == "correct" or (correcting and not posted) else ProgressUpdate(task=task),
        initial={"period": again.period, "value": again.value, "percent": again.percent, "narrative": again.narrative}
        if again
        else None,
        task=task,
        today=today,
    )
    extension = ExtensionForm(
        post if action == "extend" else None,
        earliest=task.deadline + datetime.timedelta(days=1),
        latest=extension_limit(task),
    )
    closure = ClosureForm(post if action == "close" else None)
    done = None
    try:
        if posted and report.is_valid():
            report.report(task=task, reported_by=request.user)
            done = (
                _("Report corrected; it still waits for a manager's review.")
                if action == "correct"
                else _("Progress reported; it counts once a manager approves it.")
            )
        elif action == "withdraw":
            withdrawn = _own_update(updates, post.get("update"), state=ReviewState.SUBMITTED, user=request.user)
            if withdrawn is None:
                raise ValidationError(_("This report has already been reviewed: it can no longer be withdrawn."))
            progress_withdraw(update=withdrawn, user=request.user)
            done = _("Report withdrawn.")
        elif action == "extend" and extension.is_valid():
            extension_request(task=task, requested_by=request.user, **extension.cleaned_data)
            done = _("Extension requested; the deadline stays until a manager approves.")
        elif action == "close" and closure.is_valid():
            final = next((u for u in updates if u.state != ReviewState.RETURNED), None)
            closure_request(task=task, requested_by=request.user, update=final, note=closure.cleaned_data["note"])
            done = _("Reported done; a manager will close the task.")
    except ValidationError as error:
        if action == "withdraw":
            messages.error(request, " ".join(error.messages))
            return redirect("task", pk=task.pk)
        _attach({"report": report, "correct": report, "extend": extension, "close": closure}[action], error)
    except PermissionDenied as error:
        raise Http404 from error
    if done:
        messages.success(request, done)
        return redirect("task", pk=task.pk)
    latest_extension = task.extensions.order_by("-requested_at", "-pk").first()
    latest_closure = task.closures.order_by("-requested_at", "-pk").first()
    returned_requests = [
        item
        for item in (latest_extension, latest_closure)
        if item and item.state == ReviewState.RETURNED and item.requested_by_id == request.user.pk
    ]
    return render(
        request,
        "tracking/task.html",
        {
            "task": task,
            "updates": updates,
            "report": report,
            "correcting": report.instance if report.instance.pk else None,
            "extension": extension,
            "closure": closure,
            "extension_limit": extension_limit(task),
            "waiting": [u for u in updates if u.state == ReviewState.SUBMITTED and u.reported_by_id == request.user.pk],
            "returned_reports": _returned_reports(updates, request.user),
            "returned_requests": returned_requests,
            # A returned request's form opens, to ask again.
            "reopen": {"extension" if item is latest_extension else "closure" for item in returned_requests},
            "open_extension": latest_extension if latest_extension and latest_extension.state == "submitted" else None,
            "open_closure": latest_closure if latest_closure and latest_closure.state == "submitted" else None,
            "milestone": task.kind == Task.Kind.MILESTONE,
        },
    )
