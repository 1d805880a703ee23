"""Secrets kept encrypted at rest: robot webhooks (their access token is the credential) and signing keys.

Fernet (AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package) with keys from the environment:
``FIELD_ENCRYPTION_KEYS`` is a comma-separated list, the first key encrypts and every key decrypts, so a
new key is put first, ``manage.py rotate_field_key`` re-encrypts every value with it, and the old key is
then removed (docs/security.md). Empty values stay empty, so ``exclude(field="")`` still works; a value
can never be looked up by equality, because each encryption of it differs.
"""

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Every Fernet token starts with the version byte 0x80, "gAAAAA" in urlsafe base64.
TOKEN_PREFIX = "gAAAAA"


class SecretUnreadable(Exception):
    """A stored secret that none of the configured keys opens (the key was removed too early)."""


def _keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if key.strip())
    if keys:
        return keys
    if not settings.DEBUG and getattr(settings, "FIELD_ENCRYPTION_REQUIRE_KEY", False):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is not set")
    # Development and tests: a key derived from SECRET_KEY (production.py requires a real one).
    derived = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 url-safe base64 bytes)"
        ) from error


def fernet() -> MultiFernet:
    return _fernet_for(_keys())


def is_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def encrypt(value: str) -> str:
    if not value:
        return value
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not is_encrypted(value):
        # Empty, or a value written before encryption (the data migration encrypts those).
        return value
    try:
        return fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        # The message never carries the value.
        raise SecretUnreadable("a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS") from None


def rotate(value: str) -> str:
    """The value encrypted again with the first key (values already on it get a fresh token too)."""
    if not value:
        return value
    if not is_encrypted(value):
        return encrypt(value)
    try:
        return fernet().rotate(value.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS") from None


def mask(value: str) -> str:
    """What a page may show of a secret: its last four characters."""
    if not value:
        return ""
    return "••••" + value[-4:] if len(value) > 8 else "••••"


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value is None else encrypt(value)

    def to_python(self, value):
        return value if value is None or isinstance(value, str) else str(value)
