"""A task's history in the admin told in words: field names as their labels, values as a reader says them.

django-simple-history shows a column's field name ("TARGET_VALUE"), a blank value as "None", and an
owner or department that was simply not set as "Deleted 科室 (pk=None)". Here a label is the field's
verbose name, an unset value is "未设置", a choice is its label, a figure drops its trailing zeros,
a date reads as everywhere else (2026-12-31), and a pointer to a row since deleted says so in Chinese.
"""

import datetime
from decimal import Decimal

from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper


def field_label(model, name: str) -> str:
    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except models.FieldDoesNotExist:
        return name


def value_words(field, value) -> str:
    """One value of ``field`` as words."""
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return _("(not set)")
        return _("deleted %(kind)s (no. %(pk)s)") % {"kind": value.model._meta.verbose_name, "pk": value.pk}
    if value is None or value == "":
        return _("(not set)")
    if isinstance(value, list | tuple):
        return "、".join(value_words(field, item) for item in value) or _("(not set)")
    if getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def record_value(record, name: str) -> str:
    """A history row's value of ``name``, as words (a pointer read as its row, or its deletion)."""
    field = record.instance_type._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        pk = getattr(record, field.attname)
        if pk is None:
            return _("(not set)")
        try:
            return str(getattr(record, name))
        except field.related_model.DoesNotExist:
            return value_words(field, DeletedObject(field.related_model, pk))
    return value_words(field, getattr(record, name))


class TaskHistoryWords(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return value_words(self.model._meta.get_field(change.field), value)


class HistoryInWordsMixin:
    """For a SimpleHistoryAdmin: its history page in words (templates/admin/history_in_words.html)."""

    object_history_list_template = "admin/history_in_words.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return TaskHistoryWords(self.model, historical_record)
