from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from reports.signals import report_built
        from tracking.signals import item_returned

        from .notices import on_item_returned
        from .report_mail import on_report_built

        report_built.connect(on_report_built, dispatch_uid="reminders.report_mail")
        item_returned.connect(on_item_returned, dispatch_uid="reminders.returned_notice")
