"""The admin's two-step plan-document import: read, then review and create.

Nothing is stored between the steps: the review page carries the reading in its
form, so the confirm can reach any web process.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .forms import DocumentUploadForm, ExtractedTaskForm, ExtractedTaskFormSet, PlanHeaderForm
from .importing import plan_import_document


def import_document_view(model_admin, request):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a plan document"),
    }
    if request.method == "POST" and "_confirm" in request.POST:
        header = PlanHeaderForm(request.POST, prefix="plan")
        formset = ExtractedTaskFormSet(request.POST, prefix="tasks")
        if header.is_valid() and formset.is_valid():
            try:
                result = plan_import_document(
                    extracted=formset.to_extracted(header.cleaned_data),
                    title=header.cleaned_data["title"],
                    source_name=header.cleaned_data["source_name"],
                    created_by=request.user,
                )
            except ValidationError as error:
                header.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("%(plan)s: %(created)d tasks created, %(unchanged)d already there.")
                    % {"plan": result.plan, "created": result.created, "unchanged": result.unchanged},
                )
                return redirect(f"{reverse('admin:plans_task_changelist')}?plan__id__exact={result.plan.pk}")
        return _review(request, context, header, formset)
    upload = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        extracted = upload.cleaned_data["extracted"]
        header = PlanHeaderForm(
            prefix="plan",
            initial={
                "title": extracted.title,
                "bureau": extracted.bureau,
                "year": extracted.year,
                "source_name": upload.cleaned_data["source_name"],
                "source_text": extracted.text,
            },
        )
        formset = ExtractedTaskFormSet(
            prefix="tasks", initial=[ExtractedTaskForm.initial_for(task) for task in extracted.tasks]
        )
        return _review(request, context, header, formset)
    return TemplateResponse(request, "admin/plans/plan/import_document.html", {**context, "form": upload})


def _review(request, context, header, formset):
    rows = []
    for form in formset.forms:
        code = form["code"].value() or ""
        rows.append({"form": form, "depth": code.count("."), "flags": form.flag_labels()})
    flagged = sum(1 for row in rows if row["flags"])
    return TemplateResponse(
        request,
        "admin/plans/plan/import_review.html",
        {
            **context,
            "header": header,
            "formset": formset,
            "rows": rows,
            "flagged": flagged,
            "title": _("Review the plan before creating its tasks"),
        },
    )
