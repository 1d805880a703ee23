"""Managers' pages for the reports: the list, one report, and its files (never public media URLs).

Reports are bureau-level 通报 covering every department, so only managers see them.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.roles import is_manager

from .models import Report
from .services import report_context

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _managers_only(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


@require_GET
def report_list(request):
    _managers_only(request)
    reports = Report.objects.defer("figures").order_by("-period_start", "kind")
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "reports/list.html", {"page": page})


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
    return FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{report}.{kind}", content_type=CONTENT_TYPES[kind]
    )
