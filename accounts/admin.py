from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import User

# Changes to these fields, and to a person's roles, go into the security audit log.
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "title", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "title", "email", "phone")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)

    def save_related(self, request, form, formsets, change):
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        flags = [name for name in PRIVILEGE_FIELDS if name in form.changed_data]
        if before != after or flags:
            from audit.models import Action
            from audit.services import audit_record

            parts = [f"{name}={getattr(user, name)}" for name in flags]
            if before != after:
                parts.append(f"roles {'、'.join(sorted(before)) or '-'} → {'、'.join(sorted(after)) or '-'}")
            audit_record(action=Action.ROLE_CHANGE, obj=user, request=request, detail="; ".join(parts))


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """A role's permissions: each change goes into the security audit log."""

    def save_related(self, request, form, formsets, change):
        group = form.instance
        before = set(group.permissions.values_list("codename", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(group.permissions.values_list("codename", flat=True))
        if before != after:
            from audit.models import Action
            from audit.services import audit_record

            added, removed = sorted(after - before), sorted(before - after)
            detail = f"added {', '.join(added) or '-'}; removed {', '.join(removed) or '-'}"
            audit_record(action=Action.ROLE_CHANGE, obj=group, request=request, detail=detail[:2000])
