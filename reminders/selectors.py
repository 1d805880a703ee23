from .models import TaskMute


def task_is_muted(*, user, task) -> bool:
    """Whether ``user`` asked for no more reminders about ``task``."""
    return TaskMute.objects.filter(user=user, task=task).exists()
