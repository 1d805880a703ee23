"""A person's own reminder settings: channels, and the tasks they muted."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .models import Preference, TaskMute


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
