"""The intake's screens on the plans' and tracking's own admin pages.

Plans and tracking sit below intake and may not import it, so their admin classes are extended here and
registered again: 导入计划文件 on the plans list, 导入分解表 and 导出台账 on the tasks list, 导入进度台账 on the
progress list.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path

from plans import admin as plans_admin
from plans.models import Plan, ProgressUpdate, Task
from tracking import admin as tracking_admin

from .admin_progress import ProgressImportAdminMixin
from .admin_sheets import TaskSheetAdminMixin
from .document_admin import import_document_view


class DocumentImportAdminMixin:
    change_list_template = "admin/plans/plan/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_document_view)
        return [path("import-document/", view, name="plans_plan_import_document"), *super().get_urls()]

    def import_document_view(self, request):
        """Upload or paste a plan document, review the reading row by row, then create the tasks."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        return import_document_view(self, request)


class PlanAdmin(DocumentImportAdminMixin, plans_admin.PlanAdmin):
    pass


class TaskAdmin(TaskSheetAdminMixin, plans_admin.TaskAdmin):
    pass


class ProgressUpdateAdmin(ProgressImportAdminMixin, tracking_admin.ProgressUpdateAdmin):
    pass


for model, model_admin in ((Plan, PlanAdmin), (Task, TaskAdmin), (ProgressUpdate, ProgressUpdateAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
