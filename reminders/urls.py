from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("settings/", views.reminder_settings, name="settings"),
    path("tasks/<int:pk>/mute/", views.task_mute_view, name="task-mute"),
]
