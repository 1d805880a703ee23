from django import template

from reminders.selectors import task_is_muted

register = template.Library()


@register.inclusion_tag("reminders/_task_mute_form.html")
def task_mute_form(task, user):
    """{% task_mute_form task request.user %}: the task page's "stop reminding me" button, owned here."""
    return {"task": task, "muted": task_is_muted(user=user, task=task)}
