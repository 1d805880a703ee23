"""``check --deploy``: production must hold its own keys for the encrypted columns."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def field_encryption_keys(app_configs, **kwargs):
    if getattr(settings, "FIELD_ENCRYPTION_REQUIRE_KEY", False) and not settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: robot webhooks and signing secrets cannot be read or written.",
                hint="Set it to a Fernet key (docs/security.md, Secrets and key rotation).",
                id="accounts.E001",
            )
        ]
    return []
