from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy check)
        from .roles import sync_roles_after_migrate

        # Groups need every app's permissions, which exist only after migrate.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
