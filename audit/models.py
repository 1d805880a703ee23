"""The security audit log (安全审计): who did what, when, from which address, to which object.

Rows are only ever added. The admin cannot change or delete them, PostgreSQL refuses an UPDATE and
any DELETE of a row younger than the retention (audit/sql.py), and the nightly prune removes only
rows older than AUDIT_RETENTION_DAYS (never fewer than 180).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Login locked out")
    LOGOUT = "logout", _("Logout")
    PASSWORD_CHANGE = "password_change", _("Password change")
    ROLE_CHANGE = "role_change", _("Role or permission change")
    SECRET_CHANGE = "secret_change", _("Robot secret change")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    APPROVAL = "approval", _("Review")
    DELETION = "deletion", _("Deletion")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint and nothing done on delete: a row outlives the person it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.object_repr}"
