"""An admin whose rows nobody adds, changes or deletes through the site, administrators included: the audit
log, and records kept by the system itself (backups)."""


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
