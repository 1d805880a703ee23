"""Progress updates in the admin: add-only, never edited in place."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from plans.admin import TaskAdmin
from plans.admin_scoping import ScopedTaskAdminMixin
from plans.models import ProgressUpdate, ReviewState

from .admin_reviews import ReviewActionsMixin
from .display import figure_text
from .forms import ProgressUpdateForm


def evidence_links(update) -> str:
    links = format_html_join(
        mark_safe("<br>"),
        '<a href="{}">{}</a>',
        ((reverse("evidence-download", args=[item.pk]), item.original_name) for item in update.evidence.all()),
    )
    return links or "—"


class ProgressUpdateInline(admin.StackedInline):
    """Newest first; existing updates are read-only, new ones go through the service."""

    model = ProgressUpdate
    form = ProgressUpdateForm
    fields = (
        "period",
        "value",
        "percent",
        "confirm",
        "correction_note",
        "narrative",
        "evidence_files",
        "reported_by",
        "reported_at",
    )
    readonly_fields = ("reported_by", "reported_at")
    extra = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by").prefetch_related("evidence")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("evidence files"))
    def evidence_files(self, update):
        return evidence_links(update)

    @admin.display(description=_("I have checked this figure and it is right"))
    def confirm(self, update):
        """Shown on the read-only rows of updates already sent; the new row asks with its check box."""
        return "—"


# A task's page in the admin lists its progress; plans sits below tracking, so the inline is added from here.
TaskAdmin.inlines = [*TaskAdmin.inlines, ProgressUpdateInline]


class WaitingFirstFilter(admin.SimpleListFilter):
    """The review state, opening on 待审核 for managers (what they come to the list for); on all for staff."""

    title = _("review state")
    parameter_name = "review"
    ALL = "all"

    def __init__(self, request, params, model, model_admin):
        self.default = ReviewState.SUBMITTED if is_manager(request.user) else self.ALL
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [*ReviewState.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL or "state__exact" in request.GET:
            return queryset
        return queryset.filter(state=self.value())


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ScopedTaskAdminMixin, ReviewActionsMixin, admin.ModelAdmin):
    """Also the managers' review queue: filter on 待审核 (submitted), approve or return."""

    task_lookup = "task"
    actions = ["approve_selected", "return_selected"]
    form = ProgressUpdateForm
    list_display = ("task", "period", "figure", "state", "reported_by", "reported_at", "reviewed_by")
    list_select_related = ("task", "reported_by", "reviewed_by")
    list_filter = (WaitingFirstFilter, "period", "task__plan")
    search_fields = ("task__code", "task__title", "narrative")
    autocomplete_fields = ("task",)
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("task", "period", "value", "percent", "confirm", "correction_note", "narrative", "evidence_files")
        return (
            "task",
            "period",
            "figure",
            "narrative",
            "correction_note",
            "evidence",
            "state",
            "review_note",
            "reported_by",
            "reported_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("evidence files"))
    def evidence(self, update):
        return evidence_links(update)

    @admin.display(description=_("figure"))
    def figure(self, update):
        return figure_text(value=update.value, percent=update.percent, unit=update.task.unit)

    def save_model(self, request, obj, form, change):
        update = form.report(task=form.cleaned_data["task"], reported_by=request.user)
        # The admin logs and redirects with ``obj``; make it the row the service wrote.
        obj.pk, obj.reported_by, obj.reported_at = update.pk, update.reported_by, update.reported_at
