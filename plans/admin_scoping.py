"""Role scoping for every admin that shows tasks or things hanging off them.

Which tasks a user sees is decided by ``plans.selectors.task_scope`` alone;
``ScopedTaskAdminMixin`` applies it to lists, change pages, history, raw-id
popups, autocomplete and foreign-key choices, and turns a direct URL to another
department's object into 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import is_manager

from .models import Task
from .selectors import task_scope


class ScopedTaskAdminMixin:
    """Restrict a model admin to what ``task_scope`` lets the user see.

    ``task_lookup`` is the path from the admin's model to its task ("" for Task itself).
    """

    task_lookup = ""

    def scope(self, request, queryset):
        if is_manager(request.user):
            return queryset
        visible = task_scope(request.user)
        if not self.task_lookup:
            return queryset & visible
        return queryset.filter(**{f"{self.task_lookup}__in": visible.values("pk")})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def _in_scope(self, request, obj) -> bool:
        """Object-level check, for views that fetch objects themselves (history, revert)."""
        if obj is None or obj.pk is None or is_manager(request.user):
            return True
        task_id = obj.pk if not self.task_lookup else getattr(obj, f"{self.task_lookup}_id")
        checked = request.__dict__.setdefault("_tasks_in_scope", {})
        if task_id not in checked:
            checked[task_id] = task_scope(request.user).filter(pk=task_id).exists()
        return checked[task_id]

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self.model._default_manager.filter(pk=_as_pk(self.model, object_id)).exists():
            raise PermissionDenied
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Task:
            kwargs["queryset"] = task_scope(request.user).select_related("plan")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _as_pk(model, object_id):
    try:
        return model._meta.pk.to_python(object_id)
    except ValidationError:
        return None
