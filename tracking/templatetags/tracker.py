"""Small template helpers for task figures: health badges, percents, the actual beside the waiting one."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from plans.models import Task
from plans.pacing import Health

register = template.Library()

# The list each dashboard count links to, by colour (config/urls.py).
LIST_URLS = {
    Health.RED: "overdue",
    Health.YELLOW: "behind-pace",
    Health.BLUE: "due-soon",
    Health.GREEN: "on-pace",
    Health.DONE: "completed",
}


@register.simple_tag
def health(value):
    if not value:
        return "—"
    return format_html('<span class="health health-{}">{}</span>', value, Health(value).label)


@register.simple_tag
def percent(value):
    if value is None:
        return "—"
    if value > 100:
        return format_html('<span class="over-target" title="超额完成">{}%</span>', f"{value:.0f}")
    return f"{value:.0f}%"


@register.simple_tag
def actual(task):
    def figure(value, pct):
        if task.kind == Task.Kind.MILESTONE:
            return "—" if pct is None else f"{pct:.0f}%"
        return "—" if value is None else f"{value.normalize():f}{task.unit}"

    approved = figure(task.latest_value, task.latest_percent)
    waiting = figure(task.submitted_value, task.submitted_percent)
    if waiting == "—":
        return approved
    return format_html('{} <span class="waiting-review">（待审核 {}）</span>', approved, waiting)


@register.simple_tag
def lookup(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def count_link(row, colour, by):
    """A dashboard count as a link to the list it counts, filtered to its plan (``by="plan"``) or department."""
    count = row.get(colour, 0)
    if not count or row.get("id") is None:
        return count
    query = urlencode({"plan" if by == "plan" else "department": row["id"]})
    label = _("%(list)s of %(name)s: %(count)s") % {"list": Health(colour).label, "name": row["name"], "count": count}
    return format_html('<a href="{}?{}" aria-label="{}">{}</a>', reverse(LIST_URLS[colour]), query, label, count)
