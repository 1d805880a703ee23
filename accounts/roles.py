"""The three roles of the product as Django groups, and who counts as what.

Staff (科员) see and report on their own departments' tasks; managers (科长, 局领导)
see and review everything; administrators also manage plans, departments and users.
The groups and their permissions are (re)built after every migrate, so a new
model's permissions reach the roles without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

STAFF = "科员"
MANAGER = "科长/局领导"
ADMINISTRATOR = "系统管理员"

# (app_label, model) -> actions, per role.
ROLE_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    STAFF: {
        ("plans", "plan"): ("view",),
        ("plans", "department"): ("view",),
        ("plans", "task"): ("view", "change"),
        ("plans", "progressupdate"): ("view", "add"),
        ("plans", "evidence"): ("view", "add"),
        ("tracking", "extensionrequest"): ("view", "add"),
        ("tracking", "closurerequest"): ("view", "add"),
        ("plans", "calendarday"): ("view",),
    },
    MANAGER: {
        ("plans", "plan"): ("view", "add", "change"),
        ("plans", "department"): ("view",),
        ("plans", "task"): ("view", "add", "change"),
        ("plans", "progressupdate"): ("view", "add"),
        ("plans", "evidence"): ("view", "add"),
        ("tracking", "extensionrequest"): ("view", "add"),
        ("tracking", "closurerequest"): ("view", "add"),
        ("plans", "calendarday"): ("view",),
        ("reminders", "message"): ("view", "change"),
        ("reminders", "reminder"): ("view",),
        ("reports", "report"): ("view", "add"),
    },
    ADMINISTRATOR: {
        ("plans", "plan"): ("view", "add", "change", "delete"),
        ("plans", "department"): ("view", "add", "change", "delete"),
        ("plans", "task"): ("view", "add", "change", "delete"),
        ("plans", "progressupdate"): ("view", "add"),
        ("plans", "evidence"): ("view", "add"),
        ("tracking", "extensionrequest"): ("view", "add"),
        ("tracking", "closurerequest"): ("view", "add"),
        ("plans", "calendarday"): ("view", "add", "change", "delete"),
        ("reminders", "message"): ("view", "change"),
        ("reminders", "reminder"): ("view",),
        ("reminders", "taskmute"): ("view", "add", "delete"),
        ("reports", "report"): ("view", "add"),
        ("ops", "backup"): ("view",),
        ("reminders", "preference"): ("view", "add", "change", "delete"),
        ("accounts", "user"): ("view", "add", "change"),
        ("auth", "group"): ("view",),
        ("django_celery_beat", "periodictask"): ("view", "add", "change", "delete"),
        ("django_celery_beat", "crontabschedule"): ("view", "add", "change", "delete"),
        ("django_celery_beat", "intervalschedule"): ("view", "add", "change", "delete"),
        # Locked-out logins (django-axes): deleting an attempt unlocks the account or address.
        ("axes", "accessattempt"): ("view", "delete"),
        ("axes", "accessfailurelog"): ("view",),
        ("axes", "accesslog"): ("view",),
        # The security audit log: read and export only (audit.admin refuses every change).
        ("audit", "auditevent"): ("view",),
        # A lost authenticator: deleting the device lets its owner set up a new one.
        ("otp_totp", "totpdevice"): ("view", "delete"),
    },
}


def sync_roles() -> None:
    """Create the role groups and set their permissions exactly as declared."""
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = Q(pk__in=[])
        for (app_label, model), actions in grants.items():
            wanted |= Q(
                content_type__app_label=app_label,
                content_type__model=model,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        group.permissions.set(Permission.objects.filter(wanted))


def sync_roles_after_migrate(sender, app_config=None, using="default", **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # Runs once per migrated app; act after the last one so that every permission exists.
    # Django sends post_migrate only for apps with a models module, so the last such app.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label:
        return
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_roles()


def is_manager(user) -> bool:
    """Managers and administrators see every department's tasks."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(group.name in (MANAGER, ADMINISTRATOR) for group in _groups(user))


def _groups(user):
    # Cached on the user object so that scoping costs one query per request.
    if not hasattr(user, "_role_groups"):
        user._role_groups = list(user.groups.all()) if user.pk else []
    return user._role_groups


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or any(g.name == ADMINISTRATOR for g in _groups(user)))


def password_expired(user) -> bool:
    """Administrators change their password every PASSWORD_MAX_AGE_DAYS (0 turns the rule off)."""
    from django.conf import settings
    from django.utils import timezone

    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not is_administrator(user) or not user.has_usable_password():
        return False
    since = user.password_changed_at or user.date_joined
    return (timezone.now() - since).days >= days


def requires_otp(user) -> bool:
    """True for a member of a role OTP_REQUIRED_FOR names ("manager", "administrator")."""
    from django.conf import settings

    wanted = {
        {"manager": MANAGER, "administrator": ADMINISTRATOR}.get(name, name) for name in settings.OTP_REQUIRED_FOR
    }
    if not wanted or not user.is_authenticated:
        return False
    if user.is_superuser and ADMINISTRATOR in wanted:
        return True
    return any(group.name in wanted for group in _groups(user))
