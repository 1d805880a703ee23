"""A task's own page for staff: its figures and history, and the three things they do with it —
report progress (with evidence), ask for more time, report it done — each through its service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plans.models import Task
from plans.selectors import task_scope, with_progress
from reminders.models import TaskMute
from reminders.services import task_mute

from .forms import ClosureForm, ExtensionForm, ReportForm
from .models import ProgressUpdate, ReviewState
from .reviews import closure_request, extension_request


def _attach(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
def task_page(request, pk: int):
    today = timezone.localdate()
    task = (
        with_progress(task_scope(request.user).filter(pk=pk), today=today)
        .annotate(muted=Exists(TaskMute.objects.filter(task=OuterRef("pk"), user=request.user)))
        .select_related("plan", "lead_department", "owner")
        .first()
    )
    if task is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    report = ReportForm(
        request.POST if action == "report" else None,
        request.FILES if action == "report" else None,
        instance=ProgressUpdate(task=task),
    )
    extension = ExtensionForm(request.POST if action == "extend" else None)
    closure = ClosureForm(request.POST if action == "close" else None)
    done = None
    try:
        if action == "report" and report.is_valid():
            report.report(task=task, reported_by=request.user)
            done = _("Progress reported; it counts once a manager approves it.")
        elif action == "extend" and extension.is_valid():
            extension_request(task=task, requested_by=request.user, **extension.cleaned_data)
            done = _("Extension requested; the deadline stays until a manager approves.")
        elif action in ("mute", "unmute"):
            task_mute(user=request.user, task=task, muted=action == "mute")
            done = (
                _("You will get no more reminders about this task.")
                if action == "mute"
                else _("Reminders are on again.")
            )
        elif action == "close" and closure.is_valid():
            final = task.updates.exclude(state=ReviewState.RETURNED).order_by("-reported_at", "-pk").first()
            closure_request(task=task, requested_by=request.user, update=final, note=closure.cleaned_data["note"])
            done = _("Reported done; a manager will close the task.")
    except ValidationError as error:
        _attach({"report": report, "extend": extension, "close": closure}[action], error)
    except PermissionDenied as error:
        raise Http404 from error
    if done:
        messages.success(request, done)
        return redirect("task", pk=task.pk)
    updates = task.updates.select_related("reported_by", "reviewed_by").prefetch_related("evidence")[:50]
    return render(
        request,
        "tracking/task.html",
        {
            "task": task,
            "updates": updates,
            "report": report,
            "extension": extension,
            "closure": closure,
            "open_extension": task.extensions.filter(state=ReviewState.SUBMITTED).first(),
            "open_closure": task.closures.filter(state=ReviewState.SUBMITTED).first(),
            "milestone": task.kind == Task.Kind.MILESTONE,
        },
    )
