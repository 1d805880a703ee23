from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Progress tracking")

    def ready(self):
        from plans import derived as plans_derived

        from . import derived
        from .schedules import install_after_migrate

        # The owner of derived task state, for the plans app's writes (which may not import tracking).
        plans_derived.register(
            refresh=derived.task_derived_refresh, deleted=derived.tasks_deleted, new_task=derived.task_new_state
        )

        # Sent after the whole migrate, when django-celery-beat's tables exist.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="tracking.install_schedules")
