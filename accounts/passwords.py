"""Password rules of 等保 2.0 身份鉴别: three of four character classes, no reuse of the last five.

Django calls ``validate`` from every form that sets a password (the admin's change-password pages) and
``password_changed`` after any password is saved, including ``set_password`` in commands: that hook
records the history and the date the 90-day rule for administrators counts from.
"""

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES = (
    ("lowercase", set(string.ascii_lowercase)),
    ("uppercase", set(string.ascii_uppercase)),
    ("digits", set(string.digits)),
)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters (symbols, Chinese) it uses."""
    used = sum(1 for _name, chars in CLASSES if any(c in chars for c in password))
    others = any(not any(c in chars for _name, chars in CLASSES) for c in password)
    return used + int(others)


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must use at least %(count)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"count": self.min_classes}


class PasswordHistoryValidator:
    def __init__(self, remember: int = 5):
        self.remember = remember

    def _recent(self, user):
        if user is None or user.pk is None:
            return []
        return list(user.password_history.values_list("password", flat=True)[: self.remember])

    def validate(self, password, user=None):
        recent = self._recent(user)
        if user is not None and user.pk is not None and user.password:
            recent.append(user.password)
        if any(check_password(password, encoded) for encoded in recent if encoded):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        from .models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = user.password_history.values_list("pk", flat=True)[: self.remember]
        user.password_history.exclude(pk__in=list(keep)).delete()
        now = timezone.now()
        type(user).objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        from audit.models import Action
        from audit.services import audit_record

        audit_record(action=Action.PASSWORD_CHANGE, obj=user)

    def get_help_text(self):
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": self.remember}
