"""Reports in the admin: a read-only list with download links, and a form to build one for a past period."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_manager

from .forms import BuildReportForm
from .models import Report
from .services import ReportError, report_build, report_delete


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "department", "kind", "period_start", "period_end", "state", "built_at", "downloads"]
    list_filter = ["kind", "state", ("department", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "period_start"
    fields = [
        "title",
        "department",
        "kind",
        "period_start",
        "period_end",
        "cut_off",
        "state",
        "built_at",
        "built_by",
        "downloads",
        "error",
    ]
    readonly_fields = fields
    list_select_related = ["built_by", "department"]
    show_full_result_count = False
    change_list_template = "reports/admin_change_list.html"

    # Reports cover the bureau or a whole department: managers read them, whatever the model permissions say.
    def has_module_permission(self, request):
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def delete_model(self, request, obj):
        report_delete(report=obj)

    def delete_queryset(self, request, queryset):
        for report in queryset:
            report_delete(report=report)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("figures")

    @admin.display(description=gettext_lazy("files"))
    def downloads(self, report):
        links = [(reverse("reports:detail", args=[report.pk]), "HTML")]
        links += [
            (reverse("reports:download", args=[report.pk, kind]), kind)
            for kind in ("xlsx", "docx")
            if getattr(report, kind)
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links) if report.state == Report.State.BUILT else "—"

    def get_urls(self):
        build = path("build/", self.admin_site.admin_view(self.build_view), name="reports_report_build")
        return [build, *super().get_urls()]

    def build_view(self, request):
        """Build a report for any past week or month, now (a monthly one over 100,000 tasks takes seconds)."""
        if not is_manager(request.user):
            raise PermissionDenied
        form = BuildReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = report_build(
                    kind=form.cleaned_data["kind"],
                    day=form.cleaned_data["day"],
                    department=form.cleaned_data["department"],
                    user=request.user,
                    force=form.cleaned_data["force"],
                )
            except ReportError as error:
                form.add_error("day", str(error))
            else:
                if report.state == Report.State.BUILT:
                    messages.success(request, format_html(_("Report built: {}"), report))
                else:
                    messages.warning(request, _("The report is being built elsewhere; look again in a minute."))
                return redirect("admin:reports_report_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Build a report for a past period"),
        }
        return TemplateResponse(request, "reports/admin_build.html", context)
