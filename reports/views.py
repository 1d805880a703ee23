"""Managers' pages for the reports: the list, one report, and its files (never public media URLs).

Reports are 通报 of the whole bureau or of one department; managers see them all.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.roles import is_manager
from audit.models import Action
from audit.services import audit_record
from plans.models import Department

from .models import Report
from .services import report_context

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _managers_only(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


BUREAU = "bureau"  # the list's filter value for the bureau's own reports


@require_GET
def report_list(request):
    _managers_only(request)
    reports = Report.objects.defer("figures").select_related("department").order_by("-period_start", "kind", "pk")
    scope = request.GET.get("department", "")
    if scope == BUREAU:
        reports = reports.filter(department__isnull=True)
    elif scope.isdigit():
        reports = reports.filter(department_id=int(scope))
    else:
        scope = ""
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    departments = Department.objects.filter(reports__isnull=False).distinct().order_by("position", "name")
    context = {"page": page, "scope": scope, "bureau": BUREAU, "departments": departments}
    return render(request, "reports/list.html", context)


@require_GET
def report_detail(request, pk: int):
    _managers_only(request)
    report = get_object_or_404(Report, pk=pk)
    return render(request, "reports/detail.html", report_context(report))


@require_GET
def report_download(request, pk: int, kind: str):
    _managers_only(request)
    report = get_object_or_404(Report.objects.defer("figures"), pk=pk)
    stored = getattr(report, kind, None) if kind in CONTENT_TYPES else None
    if not stored:
        raise Http404
    audit_record(action=Action.EXPORT, obj=report, request=request, detail=kind)
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{report}.{kind}", content_type=CONTENT_TYPES[kind]
    )
