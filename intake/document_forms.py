"""Forms of the plan-document import: upload or paste, then review the reading row by row."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.models import Department, Plan, Task

from .documents import task_from_extraction
from .extraction import ExtractedPlan, ExtractedTask, PlanReadError, extract_plan, read_document
from .extraction.people import is_short_for
from .extraction.targets import FoundTarget

FLAG_LABELS = {
    "no_unit": _("unit missing in the source"),
    "odd_range": _("range bounds in the wrong order"),
    "no_metric": _("could not tell what is counted"),
}
ISO_DATE = "%Y-%m-%d"  # what <input type="date"> sends and shows, in every language


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("plan document"), required=False, help_text=_(".txt, .docx, .pdf (with text) or .html, at most 20 MB")
    )
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
            raw = read_document(upload.read(), upload.name) if upload else text
            cleaned["extracted"] = extract_plan(raw, year=cleaned.get("year"))
            cleaned["source_name"] = upload.name if upload else ""
        except PlanReadError as error:
            raise ValidationError(str(error)) from error
        return cleaned


class PlanHeaderForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    bureau = forms.CharField(label=_("issuing bureau"), max_length=100)
    year = forms.IntegerField(
        label=_("plan year"),
        min_value=2000,
        max_value=2100,
        help_text=_("For a plan of several years, choose the year it is imported for and read it again."),
    )
    starts_at = forms.CharField(required=False, widget=forms.HiddenInput)
    source_name = forms.CharField(required=False, widget=forms.HiddenInput)
    source_text = forms.CharField(required=False, widget=forms.HiddenInput)


def _people():
    return get_user_model().objects.filter(is_active=True).order_by("username")


def _target_figure(name: str, label, *, width: str) -> forms.DecimalField:
    """An optional figure of the task's target, with the digits the task stores, in a narrow box."""
    return Task._meta.get_field(name).formfield(
        label=label, required=False, widget=forms.NumberInput(attrs={"style": f"width:{width}", "step": "any"})
    )


class ExtractedTaskForm(forms.Form):
    include = forms.BooleanField(label=_("import"), required=False, initial=True)
    code = forms.CharField(label=_("code"), max_length=64)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("title"), max_length=500, widget=forms.TextInput(attrs={"size": 40}))
    kind = forms.ChoiceField(label=_("kind"), choices=Task.Kind.choices)
    value = _target_figure("target_value", _("target value"), width="6em")
    value_max = _target_figure("target_value_max", _("upper bound"), width="5em")
    unit = forms.CharField(label=_("unit"), required=False, max_length=16, widget=forms.TextInput(attrs={"size": 4}))
    comparator = forms.ChoiceField(label=_("comparator"), required=False, choices=[("", "—"), *Task.Comparator.choices])
    metric = forms.CharField(required=False, widget=forms.HiddenInput)
    deadline = forms.DateField(
        label=_("deadline"), input_formats=[ISO_DATE], widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    lead_department = forms.TypedChoiceField(label=_("lead department"), required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("owner"), required=False, coerce=int, empty_value=None)
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    flags = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are read once for the whole page, not once per row.
        self.fields["lead_department"].choices = departments or [("", "---------")]
        self.fields["owner"].choices = people or [("", "---------")]

    @classmethod
    def initial_for(cls, task: ExtractedTask, *, departments: list[Department], users: list) -> dict:
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
            "lead_department": getattr(match_department(task.department, departments), "pk", None),
            "owner": getattr(match_user(task.owner, users), "pk", None),
            "source": task.source,
            "flags": ",".join(task.flags),
        }

    def is_included(self) -> bool:
        if not self.is_bound:
            return bool(self.initial.get("include", True))
        return bool(self.data.get(self.add_prefix("include")))

    def full_clean(self):
        """An item left out is not checked: only its code and parent are kept, to rehang its children."""
        if self.is_bound and not self.is_included():
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {
                "include": False,
                "code": self.data.get(self.add_prefix("code"), ""),
                "parent": self.data.get(self.add_prefix("parent"), ""),
            }
            return
        super().full_clean()

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
            lead_department_id=data.get("lead_department"),
            owner_id=data.get("owner"),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
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


def match_department(name: str, departments: list[Department]) -> Department | None:
    """The department a plan names, by its name, its short name or a bureau's usual shortening."""
    if not name:
        return None
    for department in departments:
        if name in (department.name, department.short_name):
            return department
    shortened = [d for d in departments if is_short_for(name, d.name) or is_short_for(d.short_name, name)]
    return shortened[0] if len(shortened) == 1 else None


def match_user(name: str, users: list):
    if not name:
        return None
    found = [
        user for user in users if name in (user.get_full_name().replace(" ", ""), user.last_name + user.first_name)
    ]
    return found[0] if len(found) == 1 else None


class BaseExtractedTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("position", "name")
        self._choices = {
            "departments": [("", "---------"), *((d.pk, str(d)) for d in departments)],
            "people": [("", "---------"), *((u.pk, str(u)) for u in _people())],
        }

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self._choices}

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
        kept = [form for form in self.forms if form.cleaned_data.get("include")]
        kept_codes = {form.cleaned_data["code"] for form in kept}
        parent_of = {form.cleaned_data["code"]: form.cleaned_data.get("parent") or None for form in self.forms}
        tasks = []
        for form in kept:
            row = form.to_extracted()
            parent = row.parent
            while parent and parent not in kept_codes:
                parent = parent_of.get(parent)
            row.parent = parent
            tasks.append(row)
        return ExtractedPlan(
            title=header["title"],
            year=header["year"],
            bureau=header["bureau"],
            tasks=tasks,
            text=header.get("source_text") or "",
            starts_at=header.get("starts_at") or "",
        )


ExtractedTaskFormSet = forms.formset_factory(
    ExtractedTaskForm, formset=BaseExtractedTaskFormSet, extra=0, max_num=5000, absolute_max=5000
)
