"""The audit log in the admin: read-only for every role, filtered by date and action, exported as CSV."""

import csv
import io

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone

from .admin_mixins import ReadOnlyAdminMixin
from .models import Action, AuditEvent
from .services import audit_record

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("at", "actor_name", "ip", "action", "object_type", "object_id", "object_repr", "detail")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor_name", "ip", "action", "object_type", "object_repr")
    list_filter = (("at", admin.DateFieldListFilter), "action")
    date_hierarchy = "at"
    search_fields = ("actor_name", "object_repr", "ip")
    readonly_fields = COLUMNS
    fields = COLUMNS
    show_full_result_count = False
    change_list_template = "admin/audit/auditevent/change_list.html"

    # Append-only: nobody, administrators included, adds, changes or deletes a row here (ReadOnlyAdminMixin).
    def get_actions(self, request):
        return {}

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="audit_auditevent_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The events the list shows (same date filter, action and search), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request)
        out = io.StringIO()
        out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text only with a BOM
        writer = csv.writer(out)
        writer.writerow([str(AuditEvent._meta.get_field(name).verbose_name) for name in COLUMNS])
        count = 0
        for row in events.values_list(*COLUMNS).iterator():
            writer.writerow([_cell(value) for value in row])
            count += 1
        audit_record(action=Action.EXPORT, request=request, object_type="audit.auditevent", detail=f"rows={count}")
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
        return response
