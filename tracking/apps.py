from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Progress tracking")

    def ready(self):
        from .schedules import install_after_migrate

        # Sent after the whole migrate, when django-celery-beat's tables exist.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="tracking.install_schedules")
