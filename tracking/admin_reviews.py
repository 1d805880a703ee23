"""Reviewing in the admin: approve or return reports and requests; staff file requests here too."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_manager
from plans.admin_scoping import ScopedTaskAdminMixin
from plans.models import ProgressUpdate, ReviewState
from plans.selectors import task_scope

from .models import ClosureRequest, ExtensionRequest
from .reviews import (
    closure_check,
    closure_request,
    extension_check,
    extension_request,
    review_items,
    review_summary,
)


class ReviewActionsMixin:
    """Approve or return the selected items; returning asks for the reason on a page of its own."""

    list_filter = ("state",)

    def has_review_permission(self, request):
        return is_manager(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A waiting item's page carries approve / return (posted to the site's review queue)."""
        item = self.get_object(request, object_id)
        if item is not None and item.state == ReviewState.SUBMITTED and is_manager(request.user):
            kind = {ProgressUpdate: "update", ExtensionRequest: "extension", ClosureRequest: "closure"}[self.model]
            extra_context = {**(extra_context or {}), "review_key": f"{kind}-{item.pk}"}
        return super().change_view(request, object_id, form_url, extra_context)

    def _review(self, request, queryset, *, approve: bool, reason: str = "") -> None:
        outcome = review_items(items=list(queryset), reviewer=request.user, approve=approve, reason=reason)
        self.message_user(request, review_summary(outcome, approve=approve))

    @admin.action(description=_("Approve the selected"), permissions=["review"])
    def approve_selected(self, request, queryset):
        self._review(request, queryset, approve=True)

    @admin.action(description=_("Return the selected, with a reason"), permissions=["review"])
    def return_selected(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if request.POST.get("confirm") and reason:
            self._review(request, queryset, approve=False, reason=reason)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Why are these returned?"),
            "opts": self.model._meta,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "missing_reason": bool(request.POST.get("confirm")),
        }
        return TemplateResponse(request, "admin/tracking/return_reason.html", context)


class RequestForm(forms.ModelForm):
    """A request form whose clean() runs the service's own check for the signed-in user."""

    check = None  # set per request by RequestAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("task") is not None and not self.errors:
            try:
                self.check(cleaned)
            except PermissionDenied as error:
                raise ValidationError(str(error)) from error
        return cleaned


class RequestAdmin(ScopedTaskAdminMixin, ReviewActionsMixin, admin.ModelAdmin):
    """Filing a request: the form's fields, with the signed-in user, are its service's arguments."""

    form = RequestForm
    rules = None  # the request's check, shared by its service and this form (extension_check, …)
    service = None  # what files the request (extension_request, …)
    task_lookup = "task"
    autocomplete_fields = ("task",)
    actions = ["approve_selected", "return_selected"]
    show_full_result_count = False

    def _arguments(self, data: dict, user) -> dict:
        return {"requested_by": user, **{name: data.get(name) for name in self.fields}}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def check(data):
            self.rules(**self._arguments(data, request.user))

        return type(form.__name__, (form,), {"check": staticmethod(check)})

    def save_model(self, request, obj, form, change):
        saved = self.service(**self._arguments(form.cleaned_data, request.user))
        obj.pk = saved.pk
        obj.refresh_from_db()

    def get_fields(self, request, obj=None):
        # The request form when filing one; every field, read-only, when looking at one.
        return self.fields if obj is None else [f.name for f in self.model._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else [f.name for f in self.model._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False  # reviewed through the actions, never edited

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RequestAdmin):
    rules = staticmethod(extension_check)
    service = staticmethod(extension_request)
    fields = ("task", "new_deadline", "reason")
    list_display = ("task", "requested_by", "current_deadline", "new_deadline", "state", "reviewed_by", "requested_at")
    list_select_related = ("task", "requested_by", "reviewed_by")


@admin.register(ClosureRequest)
class ClosureRequestAdmin(RequestAdmin):
    rules = staticmethod(closure_check)
    service = staticmethod(closure_request)
    fields = ("task", "update", "note")
    list_display = ("task", "requested_by", "update", "state", "reviewed_by", "requested_at")
    list_select_related = ("task", "requested_by", "reviewed_by", "update")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "update":
            kwargs["queryset"] = ProgressUpdate.objects.filter(
                task__in=task_scope(request.user).values("pk")
            ).select_related("task")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
