"""Template side of ``plans.history_words``: a history column's label and a row's value, in words."""

from django import template

from plans import history_words

register = template.Library()


@register.simple_tag
def history_label(model, name: str) -> str:
    return history_words.field_label(model, name)


@register.simple_tag
def history_value(record, name: str) -> str:
    return history_words.record_value(record, name)
