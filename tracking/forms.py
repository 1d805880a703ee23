"""The progress report form, shared by the task page's inline and the update admin."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .evidence import evidence_check
from .models import ProgressUpdate
from .services import progress_check, progress_report


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


class ProgressUpdateForm(forms.ModelForm):
    evidence_files = MultipleFileField(
        label=_("evidence files"), required=False, help_text=_("PDF, images or office files (佐证材料).")
    )

    class Meta:
        model = ProgressUpdate
        fields = ["task", "period", "value", "percent", "narrative", "correction_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "period" in self.fields:
            self.fields["period"].initial = current_period()

    def report(self, *, task, reported_by):
        """Record this form's report through the service (the one way progress is written)."""
        data = self.cleaned_data
        return progress_report(
            task=task,
            reported_by=reported_by,
            period=data["period"],
            value=data.get("value"),
            percent=data.get("percent"),
            narrative=data.get("narrative", ""),
            correction_note=data.get("correction_note", ""),
            evidence_files=data.get("evidence_files") or [],
        )

    def clean_evidence_files(self):
        files = self.cleaned_data.get("evidence_files") or []
        errors = []
        for upload in files:
            try:
                evidence_check(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        cleaned = super().clean()
        task = cleaned.get("task") or getattr(self.instance, "task", None)
        if task is not None and not self.errors:
            try:
                progress_check(
                    task=task,
                    value=cleaned.get("value"),
                    percent=cleaned.get("percent"),
                    correction_note=cleaned.get("correction_note") or "",
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ReportForm(ProgressUpdateForm):
    """The report form on a task's own page: the task is the page's."""

    class Meta(ProgressUpdateForm.Meta):
        fields = ["period", "value", "percent", "narrative", "correction_note"]


class ExtensionForm(forms.Form):
    new_deadline = forms.DateField(label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ClosureForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
