from django import template

from reminders.chat_text import chat_escape

register = template.Library()


@register.filter(name="chat")
def chat(value) -> str:
    """{{ task.title|chat }}: user text for a robot's message (reminders.chat_text)."""
    return chat_escape(value)
