"""The admin for departments, plans and tasks: the main tool of bureau staff."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import is_manager

from . import services
from .admin_scoping import ScopedTaskAdminMixin
from .history_words import HistoryInWordsMixin
from .models import CalendarDay, Department, DepartmentAlias, Plan, Task
from .pacing import Health
from .robot_secrets import DepartmentRobotAdminMixin
from .selectors import with_progress


def health_badge(value: str) -> str:
    if not value:
        return "—"
    return format_html('<span class="health health-{}">{}</span>', value, Health(value).label)


def format_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


class HealthFilter(admin.SimpleListFilter):
    title = _("health")
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return Health.choices

    def queryset(self, request, queryset):
        if self.value() in Health.values:
            return queryset.filter(health=self.value())
        return queryset


class LeafFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "leaf"

    def lookups(self, request, model_admin):
        return [("1", _("Tasks (no sub-items)")), ("0", _("Sections and parent items"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(children__isnull=True)
        if self.value() == "0":
            return queryset.filter(children__isnull=False).distinct()
        return queryset


class DepartmentAliasInline(admin.TabularInline):
    """Other spellings sheets use for the department; a sheet import adds the ones a manager confirms."""

    model = DepartmentAlias
    fields = ("name", "created_at")
    readonly_fields = ("created_at",)
    extra = 0


@admin.register(Department)
class DepartmentAdmin(DepartmentRobotAdminMixin, admin.ModelAdmin):
    inlines = [DepartmentAliasInline]
    list_display = ("name", "parent", "leader", "contact", "reporting_day")
    list_select_related = ("parent", "leader", "contact")
    search_fields = ("name", "short_name", "aliases__name")
    autocomplete_fields = ("parent", "leader", "contact")
    filter_horizontal = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "parent", "position")}),
        (_("People"), {"fields": ("leader", "contact", "members")}),
        (
            _("Reporting and reminders"),
            {"fields": ("reporting_day", "wecom_webhook", "dingtalk_webhook", "dingtalk_secret")},
        ),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"
    search_fields = ("note",)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "bureau", "year", "state", "source", "task_count")
    list_filter = ("state", "year", "source")
    search_fields = ("title", "bureau")
    readonly_fields = ("created_at", "created_by")
    fieldsets = (
        (None, {"fields": ("title", "bureau", "year", ("period_start", "period_end"), "state")}),
        (_("Source"), {"fields": ("source", "source_name", "source_text"), "classes": ("collapse",)}),
        (None, {"fields": ("created_at", "created_by")}),
    )
    actions = ["activate", "close"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(task_total=Count("tasks"))

    @admin.display(description=_("tasks"), ordering="task_total")
    def task_count(self, obj):
        return obj.task_total

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("year", timezone.localdate().year)
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:  # a new plan's period is its plan year unless given: left empty, it follows the year
            for name in ("period_start", "period_end"):
                form.base_fields[name].required = False
                form.base_fields[name].help_text = _("Leave empty for the plan year.")
        return form

    def save_model(self, request, obj, form, change):
        start, end = Plan.default_period(obj.year)
        obj.period_start = obj.period_start or start
        obj.period_end = obj.period_end or end
        if not change:
            obj.created_by = request.user
        services.plan_save(plan=obj)

    def _change_state(self, request, queryset, state):
        changed = 0
        for plan in queryset:
            try:
                services.plan_change_state(plan=plan, state=state)
                changed += 1
            except ValidationError as error:
                self.message_user(request, f"{plan}: {'; '.join(error.messages)}", messages.ERROR)
        if changed:
            self.message_user(
                request, ngettext("%(n)d plan changed.", "%(n)d plans changed.", changed) % {"n": changed}
            )

    @admin.action(description=_("Activate the selected plans"), permissions=["change"])
    def activate(self, request, queryset):
        self._change_state(request, queryset, Plan.State.ACTIVE)

    @admin.action(description=_("Close the selected plans"), permissions=["change"])
    def close(self, request, queryset):
        self._change_state(request, queryset, Plan.State.CLOSED)


@admin.register(Task)
class TaskAdmin(HistoryInWordsMixin, ScopedTaskAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "code",
        "short_title",
        "plan",
        "lead_department",
        "owner",
        "target",
        "latest_actual",
        "percent",
        "expected",
        "health_colour",
        "deadline",
    )
    list_display_links = ("code", "short_title")
    list_select_related = ("plan", "lead_department", "owner")
    # The (plan, position) index serves this order; Task.Meta's "plan" would sort 100,000 rows by the plan's fields.
    ordering = ("plan_id", "position")
    list_filter = (
        HealthFilter,
        "plan",
        ("lead_department", admin.RelatedOnlyFieldListFilter),
        ("owner", admin.RelatedOnlyFieldListFilter),
        "deadline",
        "kind",
        LeafFilter,
    )
    search_fields = ("code", "title")
    list_per_page = 100
    show_full_result_count = False
    autocomplete_fields = ("parent", "lead_department", "owner")
    filter_horizontal = ("supporting_departments",)
    inlines = []  # tracking.admin adds the progress inline: tracking sits above plans
    history_list_display = ["deadline", "owner", "target_value", "completed_on"]
    fieldsets = (
        (None, {"fields": ("plan", "parent", "code", "position", "title", "description", "kind", "needs_review")}),
        (_("Responsibility"), {"fields": ("lead_department", "supporting_departments", "owner")}),
        (_("Schedule"), {"fields": (("start_date", "deadline"), "original_deadline", "completed_on", "pacing")}),
        (
            _("Target"),
            {
                "fields": (
                    "metric",
                    ("comparator", "target_value", "target_value_max", "unit"),
                    ("baseline", "measure"),
                    "reporting_cycle",
                )
            },
        ),
        (_("Progress"), {"fields": ("progress_summary",)}),
    )

    def get_queryset(self, request):
        return with_progress(super().get_queryset(request), today=timezone.localdate())

    def has_change_history_permission(self, request, obj=None):
        # Reverting to an old version rewrites the task: the managers' call, as any other change is.
        return is_manager(request.user) and super().has_change_history_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a POSTed revert after checking view permission only.
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if is_manager(request.user):
            return ("original_deadline", "progress_summary")
        # Staff report progress through the inline; the task itself is the managers' to change.
        return [field for fieldset in self.fieldsets for line in fieldset[1]["fields"] for field in _flat(line)]

    @admin.display(description=_("title"))
    def short_title(self, obj):
        return obj.title if len(obj.title) <= 40 else obj.title[:39] + "…"

    @admin.display(description=_("target"))
    def target(self, obj):
        return obj.target_display()

    @admin.display(description=_("latest actual"), ordering="latest_value")
    def latest_actual(self, obj):
        """The approved figure, and beside it the newest one still waiting for review."""
        approved = self._figure(obj, obj.latest_value, obj.latest_percent)
        waiting = self._figure(obj, obj.submitted_value, obj.submitted_percent)
        if waiting == "—":
            return approved
        return format_html('{} <span class="waiting-review">（{} {}）</span>', approved, _("waiting"), waiting)

    @staticmethod
    def _figure(obj, value, percent) -> str:
        if obj.kind == Task.Kind.MILESTONE:
            return format_percent(_float(percent))
        return "—" if value is None else f"{value.normalize():f}{obj.unit}"

    @admin.display(description=_("percent"), ordering="percent_complete")
    def percent(self, obj):
        return format_percent(obj.percent_complete)

    @admin.display(description=_("expected"), ordering="expected_percent")
    def expected(self, obj):
        return "—" if obj.kind == Task.Kind.SECTION else format_percent(obj.expected_percent)

    @admin.display(description=_("health"), ordering="health")
    def health_colour(self, obj):
        return health_badge(obj.health)

    @admin.display(description=_("progress"))
    def progress_summary(self, obj):
        if obj is None or obj.pk is None or obj.kind == Task.Kind.SECTION:
            return "—"
        return format_html(
            "{} {} · {} {} · {}",
            _("percent"),
            format_percent(obj.percent_complete),
            _("expected"),
            format_percent(obj.expected_percent),
            health_badge(obj.health),
        )

    def save_model(self, request, obj, form, change):
        # Added or changed (a revert from the history page too), through the one write path; the form's
        # save_m2m sets the supporting departments next.
        services.task_save(task=obj, user=request.user)

    def delete_model(self, request, obj):
        services.task_delete(tasks=Task.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.task_delete(tasks=queryset)

    def save_formset(self, request, form, formset, change):
        if formset.model is Task:
            return super().save_formset(request, form, formset, change)

        # The admin's change message reads these, as after formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for update_form in formset.forms:
            if update_form.instance.pk or not update_form.has_changed() or not update_form.is_valid():
                continue
            update = update_form.report(task=form.instance, reported_by=request.user)
            formset.new_objects.append(update)


def _flat(line):
    return line if isinstance(line, tuple) else (line,)


def _float(value):
    return None if value is None else float(value)
