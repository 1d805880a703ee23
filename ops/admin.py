"""Backups in the admin: every run, read-only, with the last success named above the list."""

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin_mixins import ReadOnlyAdminMixin

from .backup import last_success
from .models import Backup


@admin.register(Backup)
class BackupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("started_at", "ok", "archive", "size_display", "files", "encrypted", "error_summary")
    list_filter = ("ok",)
    readonly_fields = [field.name for field in Backup._meta.fields]

    def changelist_view(self, request, extra_context=None):
        last = last_success()
        if last is None:
            self.message_user(request, _("No backup has succeeded yet."), messages.WARNING)
        else:
            self.message_user(
                request,
                _("Last successful backup: %(when)s, %(archive)s (%(size)s).")
                % {
                    "when": f"{timezone.localtime(last.finished_at or last.started_at):%Y-%m-%d %H:%M}",
                    "archive": last.archive,
                    "size": filesizeformat(last.size),
                },
                messages.INFO,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def size_display(self, backup):
        return filesizeformat(backup.size)

    @admin.display(description=gettext_lazy("error"))
    def error_summary(self, backup):
        return backup.error[:120]
