"""Forms of the breakdown-sheet import; the plan-document forms are in ``document_forms``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from plans.models import Plan


class TaskImportForm(ImportForm):
    """django-import-export's upload form, plus the plan to import into and the two choices."""

    plan = forms.ModelChoiceField(label=_("plan"), queryset=Plan.objects.exclude(state=Plan.State.CLOSED))
    skip_errors = forms.BooleanField(
        label=_("skip rows with errors"),
        required=False,
        help_text=_("Without this, one bad row means nothing is imported."),
    )
    create_unknown = forms.BooleanField(
        label=_("create unknown departments and owners"),
        required=False,
        help_text=_("Names not found are listed in the preview; managers only."),
    )
    sheet = forms.CharField(
        label=_("sheet"),
        required=False,
        max_length=100,
        help_text=_("Leave empty to read the first sheet with a header row; the preview names the others."),
    )
    field_order = ["plan", "resource", "import_file", "format", "sheet", "skip_errors", "create_unknown"]


class TaskConfirmImportForm(ConfirmImportForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), widget=forms.HiddenInput)
    skip_errors = forms.BooleanField(required=False, widget=forms.HiddenInput)
    create_unknown = forms.BooleanField(required=False, widget=forms.HiddenInput)
    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
