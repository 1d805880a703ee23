"""The managers' review queue on the site (待审核): approve several at once, or return one with its
reason in place; and evidence images shown as thumbnails, never any file as a page."""

import mimetypes
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import is_manager
from plans.models import Evidence
from plans.selectors import task_scope

from .evidence import evidence_is_image
from .review_queue import queue_items_by_keys, review_queue
from .reviews import review_items, review_summary


def _back(request) -> str:
    """Where a review posted from elsewhere (an admin page) returns to; the queue otherwise."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("review-queue")


@require_http_methods(["GET", "POST"])
def review_queue_page(request):
    if not is_manager(request.user):
        raise PermissionDenied
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        items = queue_items_by_keys(request.user, request.POST.getlist("items"))
        if not items:
            messages.error(request, _("Tick the items to review first."))
            return redirect("review-queue")
        try:
            outcome = review_items(
                items=items, reviewer=request.user, approve=approve, reason=request.POST.get("reason", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, review_summary(outcome, approve=approve))
        return redirect(_back(request))
    items, total = review_queue(request.user)
    return render(request, "tracking/review_queue.html", {"items": items, "total": total})


@require_GET
def evidence_image(request, pk: int):
    """An evidence photo for its thumbnail: served inline only when it is an image type, with the type
    fixed by its extension, no sniffing and a sandbox, so that no file can ever run as a page."""
    evidence = get_object_or_404(Evidence.objects.select_related("update"), pk=pk)
    if (
        not evidence_is_image(evidence.original_name)
        or not task_scope(request.user).filter(pk=evidence.update.task_id).exists()
    ):
        raise Http404
    content_type = mimetypes.guess_type(f"x.{PurePosixPath(evidence.original_name).suffix.lower().lstrip('.')}")[0]
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
