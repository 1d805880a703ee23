"""Template filters for reports and their review: a figure in its task's unit, a period's name."""

from django import template

from tracking.display import figure_text
from tracking.evidence import evidence_is_image
from tracking.periods import period_label

register = template.Library()


@register.filter
def figure(update) -> str:
    return figure_text(value=update.value, percent=update.percent, unit=update.task.unit)


@register.filter
def period_name(period: str) -> str:
    return period_label(period)


@register.filter
def verbose_name_of(item) -> str:
    return item._meta.verbose_name


@register.simple_tag
def approved_figure(task) -> str:
    """The task's last approved figure (kept on the task), what a waiting report is judged against."""
    return figure_text(value=task.reported_value, percent=task.reported_percent, unit=task.unit)


@register.filter
def images(files) -> list:
    """The evidence files shown as thumbnails (images only)."""
    return [file for file in files if evidence_is_image(file.original_name)]
