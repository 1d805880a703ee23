import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Department

from .models import Report


class BuildReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("period"), choices=Report.Kind.choices)
    day = forms.DateField(
        label=_("a day in the period"),
        help_text=_("The week (Monday–Sunday) or the calendar month containing this day; it must have ended."),
        initial=lambda: timezone.localdate() - datetime.timedelta(days=7),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Department.objects.order_by("position", "name"),
        required=False,
        empty_label=_("The whole bureau"),
        help_text=_("Empty: the bureau's report. A department: its own report, from the same frozen figures."),
    )
    force = forms.BooleanField(
        label=_("rebuild the files if the report exists"),
        required=False,
        help_text=_("The figures stay those frozen at the cut-off; only the files are written again."),
    )
