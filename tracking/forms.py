"""The progress report form, shared by the task page's inline and the update admin."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import ProgressUpdate, Task

from .display import number_text
from .evidence import evidence_check
from .periods import period_choices, period_label, period_owed
from .services import progress_check, progress_correct, progress_report


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def current_period() -> str:
    return timezone.localdate().strftime("%Y-%m")


PLAIN_DECIMAL = re.compile(r"^-?\d{1,14}(?:\.\d{1,4})?$")


class PlainDecimalField(forms.DecimalField):
    """A figure typed as a plain decimal (120, 12.5): "1e5", "1,000" or "十" are refused, not guessed.

    A text box with a decimal keypad rather than type=number, which would empty "1,000" before sending."""

    widget = forms.TextInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not PLAIN_DECIMAL.match(text):
            raise ValidationError(
                _("“%(value)s” is not a plain number: write it in digits, e.g. 120 or 12.5."),
                code="plain",
                params={"value": text},
            )
        return super().to_python(text)


class ProgressUpdateForm(forms.ModelForm):
    evidence_files = MultipleFileField(
        label=_("evidence files"), required=False, help_text=_("PDF, images or office files (佐证材料).")
    )
    confirm = forms.BooleanField(label=_("I have checked this figure and it is right"), required=False)

    class Meta:
        model = ProgressUpdate
        fields = ["task", "period", "value", "percent", "narrative", "correction_note"]
        field_classes = {"value": PlainDecimalField, "percent": PlainDecimalField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "period" in self.fields:
            self.fields["period"].initial = current_period()
        # The confirmation shows only once a figure has been found odd (or was already ticked).
        self.asks_confirmation = bool(self.data.get(self.add_prefix("confirm")))

    def _report_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "period": data["period"],
            "value": data.get("value"),
            "percent": data.get("percent"),
            "narrative": data.get("narrative", ""),
            "correction_note": data.get("correction_note", ""),
            "confirmed": bool(data.get("confirm")),
            "evidence_files": data.get("evidence_files") or [],
        }

    def report(self, *, task, reported_by):
        """Record this form's report through the service (the one way progress is written); a
        report waiting for review is corrected instead."""
        if self.instance.pk:
            return progress_correct(update=self.instance, user=reported_by, **self._report_fields())
        return progress_report(task=task, reported_by=reported_by, **self._report_fields())

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
                    period=cleaned.get("period"),
                    value=cleaned.get("value"),
                    percent=cleaned.get("percent"),
                    correction_note=cleaned.get("correction_note") or "",
                    confirmed=bool(cleaned.get("confirm")),
                )
            except ValidationError as error:
                self.attach(error)
        return cleaned

    def attach(self, error: ValidationError) -> None:
        """Put a service's error on the fields it names (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                if name == "confirm":
                    self.asks_confirmation = True
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class ReportForm(ProgressUpdateForm):
    """The report form on a task's own page: the task is the page's, the period is chosen from those
    that have begun (the one owed now first), and only the figure the task's kind needs is asked."""

    # The confirmation and its reason (the note) come right under the figure they are about.
    field_order = ["period", "value", "percent", "confirm", "correction_note", "narrative", "evidence_files"]

    class Meta(ProgressUpdateForm.Meta):
        fields = ["period", "value", "percent", "narrative", "correction_note"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 3}),
            "correction_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, task, today: datetime.date, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.task = task
        choices = period_choices(cycle=task.reporting_cycle, today=today, since=task.start_date)
        if self.instance.pk and self.instance.period not in dict(choices):
            choices.append((self.instance.period, period_label(self.instance.period)))
        self.fields["period"] = forms.ChoiceField(label=_("reporting period"), choices=choices)
        self.fields["period"].initial = self.instance.period or period_owed(cycle=task.reporting_cycle, today=today)
        if task.kind == Task.Kind.MILESTONE:
            del self.fields["value"]
            self.fields["percent"].required = True
            self.fields["percent"].label = _("percent done (0–100)")
        else:
            del self.fields["percent"]
            self.fields["value"].required = True
            if task.unit:
                self.fields["value"].label = _("actual value (%(unit)s)") % {"unit": task.unit}
        self.fields["correction_note"].label = _("Note")
        self.fields["correction_note"].help_text = _("Needed when the figure falls, or when it looks unusual.")
        self.fields["evidence_files"].widget.attrs["accept"] = EVIDENCE_ACCEPT
        for name in ("value", "percent"):  # 66, not 66.0000
            if isinstance(self.initial.get(name), Decimal):
                self.initial[name] = number_text(self.initial[name])


# Phones offer the camera and the photo library for image/*; the rest are the accepted office files.
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et,.ofd,.txt,.zip"


class PlainLabels:
    """Labels without Django's ":" (Chinese labels stand alone above their fields)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ExtensionForm(PlainLabels, forms.Form):
    new_deadline = forms.DateField(label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, earliest: datetime.date | None = None, latest: datetime.date | None = None, **kwargs):
        """``earliest``/``latest``: the dates a phone's date picker offers (the service checks them again)."""
        super().__init__(*args, **kwargs)
        attrs = self.fields["new_deadline"].widget.attrs
        if earliest:
            attrs["min"] = earliest.isoformat()
        if latest:
            attrs["max"] = latest.isoformat()


class ClosureForm(PlainLabels, forms.Form):
    note = forms.CharField(
        label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("What was achieved.")
    )
