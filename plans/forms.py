"""Forms of the plan-document import: upload or paste, then review the reading row by row."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from .extraction import ExtractedPlan, ExtractedTask, PlanReadError, extract_plan, read_document
from .extraction.targets import FoundTarget
from .importing import task_from_extraction
from .models import Plan, Task

FLAG_LABELS = {
    "no_unit": _("unit missing in the source"),
    "odd_range": _("range bounds in the wrong order"),
    "no_metric": _("could not tell what is counted"),
}


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("plan document"), required=False, help_text=_(".txt or .docx, at most 20 MB"))
    text = forms.CharField(label=_("or paste the text"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    year = forms.IntegerField(
        label=_("plan year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Leave empty to take it from the document."),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if not upload and not text:
            raise ValidationError(_("Upload a document or paste its text."))
        try:
            if upload:
                raw = read_document(upload.read(), upload.name)
            else:
                raw = text
            cleaned["extracted"] = extract_plan(raw, year=cleaned.get("year"))
            cleaned["source_name"] = upload.name if upload else ""
        except PlanReadError as error:
            raise ValidationError(str(error)) from error
        return cleaned


class PlanHeaderForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    bureau = forms.CharField(label=_("issuing bureau"), max_length=100)
    year = forms.IntegerField(label=_("plan year"), min_value=2000, max_value=2100)
    source_name = forms.CharField(required=False, widget=forms.HiddenInput)
    source_text = forms.CharField(required=False, widget=forms.HiddenInput)


class ExtractedTaskForm(forms.Form):
    include = forms.BooleanField(label=_("import"), required=False, initial=True)
    code = forms.CharField(label=_("code"), max_length=64)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("title"), max_length=500, widget=forms.TextInput(attrs={"size": 40}))
    kind = forms.ChoiceField(label=_("kind"), choices=Task.Kind.choices)
    value = forms.DecimalField(
        label=_("target value"),
        required=False,
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"style": "width:6em", "step": "any"}),
    )
    value_max = forms.DecimalField(
        label=_("upper bound"),
        required=False,
        max_digits=18,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"style": "width:5em", "step": "any"}),
    )
    unit = forms.CharField(label=_("unit"), required=False, max_length=16, widget=forms.TextInput(attrs={"size": 4}))
    comparator = forms.ChoiceField(label=_("comparator"), required=False, choices=[("", "—"), *Task.Comparator.choices])
    metric = forms.CharField(required=False, widget=forms.HiddenInput)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    flags = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_for(cls, task: ExtractedTask) -> dict:
        target = task.target
        return {
            "include": True,
            "code": task.code,
            "parent": task.parent or "",
            "label": task.label,
            "title": task.title,
            "kind": task.kind,
            "value": target.value if target else None,
            "value_max": target.value_max if target else None,
            "unit": target.unit if target else "",
            "comparator": target.comparator if target else "",
            "metric": target.metric if target else "",
            "deadline": task.deadline,
            "source": task.source,
            "flags": ",".join(task.flags),
        }

    def flag_labels(self) -> list[str]:
        flags = (self["flags"].value() or "").split(",")
        return [FLAG_LABELS.get(flag, flag) for flag in flags if flag]

    def to_extracted(self) -> ExtractedTask:
        data = self.cleaned_data
        target = None
        if data["kind"] == Task.Kind.QUANTITATIVE and data.get("value") is not None:
            target = FoundTarget(
                value=data["value"],
                value_max=data.get("value_max"),
                unit=data.get("unit") or "",
                comparator=data.get("comparator") or "=",
                metric=data.get("metric") or "",
                start=0,
                end=0,
            )
        return ExtractedTask(
            code=data["code"],
            parent=data.get("parent") or None,
            label=data.get("label") or "",
            title=data["title"],
            kind=data["kind"],
            deadline=data["deadline"],
            source=data.get("source") or "",
            target=target,
            flags=[flag for flag in (data.get("flags") or "").split(",") if flag],
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("include"):
            return cleaned
        # The same rules as the model: a wrong range or a negative count shows on its row.
        plan = Plan(year=2000, period_start=datetime.date(2000, 1, 1), period_end=datetime.date(2100, 12, 31))
        task = task_from_extraction(self.to_extracted(), plan=plan, position=0)
        if cleaned["kind"] == Task.Kind.QUANTITATIVE and cleaned.get("value") is None:
            self.add_error("value", _("A quantitative task needs a target value."))
        try:
            task.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = {"target_value": "value", "target_value_max": "value_max"}.get(field, field)
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


class BaseExtractedTaskFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        codes = [form.cleaned_data["code"] for form in self.forms if form.cleaned_data.get("include")]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValidationError(
                _("Codes must be unique within the plan: %(codes)s") % {"codes": "、".join(duplicates)}
            )

    def to_extracted(self, header: dict) -> ExtractedPlan:
        """The reviewed plan; a task whose parent was left out hangs from its nearest kept ancestor."""
        rows = [form.to_extracted() for form in self.forms]
        kept = {form.cleaned_data["code"] for form in self.forms if form.cleaned_data.get("include")}
        parent_of = {row.code: row.parent for row in rows}
        tasks = []
        for form, row in zip(self.forms, rows, strict=True):
            if not form.cleaned_data.get("include"):
                continue
            parent = row.parent
            while parent and parent not in kept:
                parent = parent_of.get(parent)
            row.parent = parent
            tasks.append(row)
        return ExtractedPlan(
            title=header["title"],
            year=header["year"],
            bureau=header["bureau"],
            tasks=tasks,
            text=header.get("source_text") or "",
        )


ExtractedTaskFormSet = forms.formset_factory(
    ExtractedTaskForm, formset=BaseExtractedTaskFormSet, extra=0, max_num=5000, absolute_max=5000
)


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
