"""The page a locked-out login gets from django-axes (AXES_LOCKOUT_CALLABLE)."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed logins: this account or address is locked for %(minutes)d minutes. "
        "Try again later, or ask a system administrator to unlock it."
    ) % {"minutes": minutes}
    return render(request, "accounts/locked_out.html", {"message": message, "title": _("Login locked")}, status=429)
