"""The task list's spreadsheet side: import (django-import-export's preview and confirm, with
the preview and the confirm of a large file handed to a worker and followed on a progress page)
and the ledger export."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin

from accounts.roles import is_manager
from audit.models import Action
from audit.services import audit_record
from plans import ledger
from plans.models import Plan
from plans.words import date_words

from .forms import TaskConfirmImportForm, TaskImportForm
from .jobs import runs_in_background, sheet_import_job_start, sheet_import_job_status
from .models import SheetImportJob
from .resources import PreviewCacheStorage, SpreadsheetFormat, TaskSheetResource
from .sheets.reading import SheetReadError


def name_choices(post) -> dict[str, str]:
    """The preview's choice for each name not found: ``name-N`` (the name) and ``choice-N`` (a
    department's id, "none" or "new")."""
    choices = {}
    for key, name in post.items():
        if key.startswith("name-") and name:
            choice = post.get(f"choice-{key[5:]}", "")
            if choice == "new" or choice == "none" or choice.isdigit():
                choices[name] = choice
    return choices


class TaskSheetAdminMixin(ImportMixin):
    # Export links beside django-import-export's import link (its own change-list template wraps ours).
    import_export_change_list_template = "admin/plans/task/change_list.html"
    # Spreadsheet import through django-import-export's screens (preview, then confirm).
    resource_classes = [TaskSheetResource]
    import_formats = [SpreadsheetFormat]
    import_form_class = TaskImportForm
    confirm_form_class = TaskConfirmImportForm
    tmp_storage_class = PreviewCacheStorage
    import_template_name = "admin/plans/task/import.html"
    skip_admin_log = True  # the task history records every imported change

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export/", view(self.export_view), name="plans_task_export"),
            path("import/job/<uuid:job_id>/", view(self.import_job_view), name="plans_task_import_job"),
            path("import/job/<uuid:job_id>/status/", view(self.import_job_status), name="plans_task_import_job_status"),
            *super().get_urls(),
        ]

    def import_action(self, request, **kwargs):
        """The upload: a small file is previewed here; a larger one on a worker, with a progress page."""
        if not self.has_import_permission(request):
            return self.refuse_import(request)
        if request.method == "POST" and self.has_import_permission(request):
            import_form = self.create_import_form(request)
            if import_form.is_valid() and runs_in_background(import_form.cleaned_data["import_file"].size):
                import_file = import_form.cleaned_data["import_file"]
                input_format = self.get_import_formats()[int(import_form.cleaned_data["format"])]()
                storage = self.write_to_tmp_storage(import_file, input_format)
                job = self._start_job(request, import_form, file_name=import_file.name, storage_name=storage.name)
                return redirect("admin:plans_task_import_job", job_id=job.pk)
        return super().import_action(request, **kwargs)

    def _start_job(self, request, form, *, file_name: str, storage_name: str, dry_run: bool = True):
        options = self.get_import_data_kwargs(request=request, form=form)
        allowed = options["allowed_departments"]
        return sheet_import_job_start(
            plan=options["plan"],
            user=request.user,
            file_name=file_name,
            storage_name=storage_name,
            options={
                "skip_errors": options["skip_errors"],
                "create_unknown": options["create_unknown"],
                "sheet": options["sheet"],
                "resolutions": options["resolutions"],
                "allowed_departments": None if allowed is None else sorted(allowed),
            },
            dry_run=dry_run,
        )

    def process_import(self, request, **kwargs):
        """The confirm step: a small file is applied here; a larger one goes to a worker, with a progress page."""
        if not self.has_import_permission(request):
            return self.refuse_import(request)
        if request.method == "POST" and self.has_import_permission(request):
            confirm_form = self.create_confirm_form(request)
            if confirm_form.is_valid():
                name = confirm_form.cleaned_data["import_file_name"]
                data = self.get_tmp_storage_class()(name=name, read_mode="rb").read()
                if data is not None and runs_in_background(len(data)):
                    job = self._start_job(
                        request,
                        confirm_form,
                        file_name=confirm_form.cleaned_data["original_file_name"],
                        storage_name=name,
                        dry_run=False,
                    )
                    return redirect("admin:plans_task_import_job", job_id=job.pk)
        return super().process_import(request, **kwargs)

    def process_result(self, result, request):
        response = super().process_result(result, request)
        totals = ", ".join(f"{key}={value}" for key, value in getattr(result, "totals", {}).items())
        audit_record(action=Action.IMPORT, request=request, object_type="plans.task", detail=f"tasks sheet {totals}")
        return response

    def _import_job(self, request, job_id):
        job = get_object_or_404(SheetImportJob.objects.select_related("plan"), pk=job_id)
        if job.user_id != request.user.pk and not is_manager(request.user):
            raise PermissionDenied
        return job

    def import_job_view(self, request, job_id):
        job = self._import_job(request, job_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": (_("Checking %(file)s") if job.dry_run else _("Importing %(file)s")) % {"file": job.file_name},
            "job": job,
            "status": sheet_import_job_status(job),
        }
        if job.dry_run and job.state == SheetImportJob.State.DONE and job.preview.get("ready"):
            # The confirm step of django-import-export's own screens, for the file the worker previewed.
            context["confirm_form"] = TaskConfirmImportForm(
                initial={
                    "import_file_name": job.storage_name,
                    "original_file_name": job.file_name,
                    "format": str(self.get_import_formats().index(SpreadsheetFormat)),
                    "resource": "0",
                    "plan": job.plan_id,
                    "skip_errors": job.options.get("skip_errors", False),
                    "create_unknown": job.options.get("create_unknown", False),
                    "sheet": job.options.get("sheet") or "",
                }
            )
        return TemplateResponse(request, "admin/plans/task/import_job.html", context)

    def import_job_status(self, request, job_id):
        return JsonResponse(sheet_import_job_status(self._import_job(request, job_id)))

    def has_import_permission(self, request):
        # An import creates tasks and changes them: the permissions of adding and of changing one.
        return (
            super().has_import_permission(request)
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )

    def refuse_import(self, request):
        message = _(
            "Importing tasks needs the permission to add tasks, which your role does not have. To report "
            "progress from a sheet, use “Import a progress ledger” on the progress updates page."
        )
        context = {**self.admin_site.each_context(request), "title": _("Import"), "message": message}
        return render(request, "admin/refused.html", context, status=403)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            data = import_form.cleaned_data
            initial.update(
                plan=data["plan"].pk,
                skip_errors=data["skip_errors"],
                create_unknown=data["create_unknown"],
                sheet=data.get("sheet", ""),
            )
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form, request = kwargs.pop("form", None), kwargs.pop("request", None)
        if form is not None:
            manager = request is not None and is_manager(request.user)
            resolutions = name_choices(request.POST) if request is not None and request.method == "POST" else {}
            kwargs.update(
                plan=form.cleaned_data["plan"],
                sheet=form.cleaned_data.get("sheet") or None,
                skip_errors=form.cleaned_data.get("skip_errors", False),
                # Names the manager chose to create in the preview are created; the box creates them all.
                create_unknown=manager
                and (form.cleaned_data.get("create_unknown", False) or "new" in resolutions.values()),
                resolutions={name: choice for name, choice in resolutions.items() if choice != "new"},
                allowed_departments=None if manager else set(request.user.departments.values_list("pk", flat=True)),
            )
        return kwargs

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, SheetReadError):
            # The format reads bytes without their name (SpreadsheetFormat): say which file was chosen.
            upload = form.cleaned_data.get("import_file")
            message = str(error)
            if upload is not None:
                message = message.replace(f"“{gettext('the uploaded file')}”", f"“{upload.name}”", 1)
            form.add_error("import_file", message)
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def export_view(self, request):
        """The ledger of exactly the tasks the list shows: same filters, same search, same scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        params = request.GET.copy()
        file_format = params.pop("format", ["xlsx"])[-1]
        request.GET = params
        changelist = self.get_changelist_instance(request)
        tasks = changelist.get_queryset(request)
        today = timezone.localdate()
        rows = ledger.ledger_rows(tasks, today=today)
        stamp = date_words(today)
        if file_format == "csv":
            response = HttpResponse(ledger.write_csv(rows), content_type="text/csv; charset=utf-8")
            filename = f"任务台账-{stamp}.csv"
        else:
            plans = list(Plan.objects.filter(pk__in=tasks.values("plan_id"))[:2])
            title = f"{plans[0].title}任务台账" if len(plans) == 1 else "重点工作任务台账"
            content = ledger.write_xlsx(rows, title=title, subtitle=f"导出日期：{stamp}")
            response = HttpResponse(
                content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            filename = f"任务台账-{stamp}.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        audit_record(action=Action.EXPORT, request=request, object_type="plans.task", detail=filename)
        return response
