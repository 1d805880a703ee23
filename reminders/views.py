"""A person's own reminder settings: channels, and the tasks they muted."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from plans.selectors import task_scope

from .models import Preference, TaskMute
from .services import task_mute


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["by_email", "by_chat"]


@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST":
        if request.POST.get("unmute"):
            # Not a number (a forged or stale form): nothing matches, as for another person's mute.
            unmute = request.POST["unmute"]
            if unmute.isascii() and unmute.isdigit() and len(unmute) < 19:
                TaskMute.objects.filter(user=request.user, pk=int(unmute)).delete()
            messages.success(request, _("Reminders are on again."))
            return redirect("reminders:settings")
        if form.is_valid():
            form.save()
            messages.success(request, _("Your reminder settings are saved."))
            return redirect("reminders:settings")
    mutes = TaskMute.objects.filter(user=request.user).select_related("task", "task__plan").order_by("task__deadline")
    return render(
        request,
        "reminders/settings.html",
        {"form": form, "mutes": mutes, "has_email": bool(request.user.email)},
    )


@require_http_methods(["POST"])
def task_mute_view(request, pk: int):
    """The task page's "stop reminding me" button: only for a task the person may see (else 404)."""
    task = get_object_or_404(task_scope(request.user), pk=pk)
    muted = task_mute(user=request.user, task=task, muted=request.POST.get("action") != "unmute")
    messages.success(
        request, _("You will get no more reminders about this task.") if muted else _("Reminders are on again.")
    )
    return redirect("task", pk=task.pk)
