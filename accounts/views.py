"""Two-factor login (TOTP, django-otp): set up an authenticator app once, then enter its code per session."""

import base64

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "TOTP"})
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if token.isdigit() and len(token) == 6 and device.verify_token(token):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session["_otp_enrolled"] = True
            messages.success(request, _("Two-factor login verified."))
            return redirect(next_url)
        error = _("The code is wrong or has expired: enter the 6 digits your authenticator app shows now.")
    context = {
        "setting_up": setting_up,
        "key": base64.b32encode(device.bin_key).decode() if setting_up else "",
        "config_url": device.config_url if setting_up else "",
        "next": next_url,
        "error": error,
        "title": _("Two-factor login"),
    }
    return render(request, "accounts/two_factor.html", context, status=400 if error else 200)
