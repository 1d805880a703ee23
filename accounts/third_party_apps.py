"""Third-party apps under Chinese names: the admin shows each app's name, and these two name themselves in
English only. Listed in INSTALLED_APPS in place of the apps themselves."""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class LoginLockoutConfig(AxesConfig):
    verbose_name = _("Login lockout")


class TwoFactorConfig(TOTPConfig):
    verbose_name = _("Two-factor login")

    def ready(self):
        super().ready()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Its model names itself with plain strings, out of reach of the catalogue.
        TOTPDevice._meta.verbose_name = _("TOTP device")
        TOTPDevice._meta.verbose_name_plural = _("TOTP devices")
