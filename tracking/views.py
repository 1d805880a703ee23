from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from plans.selectors import task_scope

from .health import health_report
from .models import Evidence


@login_not_required
@never_cache
@require_GET
def healthz(request):
    report = health_report()
    healthy = report["database"] and report["cache"]
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def evidence_download(request, pk: int):
    """Evidence is served only to those who may see its task; media is never public."""
    evidence = get_object_or_404(Evidence.objects.select_related("update"), pk=pk)
    if not task_scope(request.user).filter(pk=evidence.update.task_id).exists():
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
