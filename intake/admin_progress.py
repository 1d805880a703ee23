"""Importing a progress ledger (进度台账) in the admin: what staff import for their own departments' tasks.

Adding tasks through a sheet needs the permission to add tasks (intake.admin_sheets); reporting progress
through one needs only the permission to add progress updates, and each row must be a task the person
may report on (task_scope), as on the task's own page.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from intake.sheets.reading import SheetReadError, read_rows
from plans.models import Plan

from .progress_import import progress_import_sheet, read_progress_rows


class ProgressImportForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.filter(state=Plan.State.ACTIVE))
    import_file = forms.FileField(label=_("Progress ledger (xlsx or csv)"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)
    skip_errors = forms.BooleanField(label=_("Write the good rows even if some rows have errors"), required=False)


class ProgressImportAdminMixin:
    def get_urls(self):
        view = self.admin_site.admin_view(self.progress_import_view)
        return [path("import/", view, name="plans_progressupdate_import"), *super().get_urls()]

    def progress_import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProgressImportForm(request.POST or None, request.FILES or None)
        result, error = None, ""
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            try:
                rows = read_progress_rows(read_rows(upload.read(), upload.name))
                result = progress_import_sheet(
                    rows=rows,
                    plan=form.cleaned_data["plan"],
                    user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    skip_errors=form.cleaned_data["skip_errors"],
                )
            except (SheetReadError, ValidationError) as failure:
                error = "; ".join(getattr(failure, "messages", [str(failure)]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a progress ledger"),
            "form": form,
            "result": result,
            "error": error,
        }
        return render(request, "admin/plans/progressupdate/import.html", context)
