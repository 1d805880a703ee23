"""Where the audit log listens without any app calling it: logins and lockouts (Django's and
django-axes' signals), and every deletion made in the admin (ModelAdmin.log_deletions, the admin's own
hook for recording deletions, wrapped once here for every model admin)."""

from django.contrib.admin import ModelAdmin
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .models import Action
from .services import audit_record


def _logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGIN, actor=user, request=request, obj=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user, request=request, obj=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return  # not a web login (a shell, a test client's login())
    username = str(credentials.get("username", ""))[:150]
    audit_record(action=Action.LOGIN_FAILED, request=request, object_type="username", object_repr=username)


def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        action=Action.LOCKOUT,
        request=request,
        object_type="username",
        object_repr=str(username or "")[:150],
        detail=f"ip={ip_address}",
    )


_log_deletions = ModelAdmin.log_deletions


def _audited_log_deletions(self, request, queryset):
    for obj in queryset:
        audit_record(action=Action.DELETION, obj=obj, request=request)
    return _log_deletions(self, request, queryset)


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit.locked_out")
    if ModelAdmin.log_deletions is not _audited_log_deletions:
        ModelAdmin.log_deletions = _audited_log_deletions
