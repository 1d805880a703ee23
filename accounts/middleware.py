"""Login-time rules applied on every request: the idle timeout, an administrator's expired password, and
two-factor login.

An administrator whose password is older than PASSWORD_MAX_AGE_DAYS reaches only the change-password
page until it is changed. Where OTP_REQUIRED_FOR names a role, its members reach only the two-factor
pages (set up a TOTP device, enter a code) until the session is verified; so does a manager or
administrator who chose to set one up.
"""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import is_manager, password_expired, requires_otp

TOUCHED = "_renewed_at"
OTP_ENROLLED = "_otp_enrolled"
RENEW_SECONDS = 60


class LoginPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Idle timeout: the session expires SESSION_COOKIE_AGE after the last renewal.
            now = int(time.time())
            if now - request.session.get(TOUCHED, 0) >= RENEW_SECONDS:
                request.session[TOUCHED] = now
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            if self._needs_second_factor(request, user) and not (hasattr(user, "is_verified") and user.is_verified()):
                return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
            if password_expired(user) and request.path != reverse("admin:password_change"):
                from django.contrib import messages

                messages.warning(
                    request,
                    _("Your password is more than %(days)d days old: please change it before going on.")
                    % {"days": settings.PASSWORD_MAX_AGE_DAYS},
                )
                return redirect("admin:password_change")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request, user) -> bool:
        """Required of the roles OTP_REQUIRED_FOR names; a manager or administrator who set up an
        authenticator uses it too (looked up once per session)."""
        if requires_otp(user):
            return True
        enrolled = request.session.get(OTP_ENROLLED)
        if enrolled is None:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            enrolled = is_manager(user) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            request.session[OTP_ENROLLED] = enrolled
        return enrolled

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("two-factor"),
            reverse("admin:logout"),
            reverse("admin:password_change_done"),
            "/" + settings.STATIC_URL.lstrip("/"),
            reverse("healthz"),
            "/i18n/",
        )
        return path.startswith(allowed)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (Django sets the other security headers itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
