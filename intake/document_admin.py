"""The admin's two-step plan-document import: read, then review and create.

Nothing is stored between the steps: the review page carries the reading in its
form, so the confirm can reach any web process. "Read again" reads the same text
for another plan year (a plan of several years is imported for the year the user chooses).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from plans.models import Department

from .document_forms import DocumentUploadForm, ExtractedTaskForm, ExtractedTaskFormSet, PlanHeaderForm
from .documents import plan_import_document
from .extraction import PlanReadError, extract_plan


def import_document_view(model_admin, request):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import a plan document"),
    }
    if request.method == "POST" and "_reread" in request.POST:
        return _reread(request, context)
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
                return redirect(f"{reverse('admin:plans_plan_changelist')}?plan__id__exact={result.plan.pk}")
        return _review(request, context, header, formset)
    upload = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload.is_valid():
        return _first_review(request, context, upload.cleaned_data["extracted"], upload.cleaned_data["source_name"])
    return TemplateResponse(request, "admin/plans/plan/import_document.html", {**context, "form": upload})


def _reread(request, context):
    """The same document read again for the plan year chosen on the review page."""
    header = PlanHeaderForm(request.POST, prefix="plan")
    header.is_valid()
    data = header.cleaned_data
    try:
        if "year" not in data:
            raise PlanReadError(_("Enter a plan year between 2000 and 2100 to read the document for."))
        extracted = extract_plan(data.get("source_text") or "", year=data["year"])
    except PlanReadError as error:
        upload = DocumentUploadForm(initial={"text": data.get("source_text") or ""})
        messages.error(request, str(error))
        return TemplateResponse(request, "admin/plans/plan/import_document.html", {**context, "form": upload})
    extracted.title = data.get("title") or extracted.title
    extracted.bureau = data.get("bureau") or extracted.bureau
    return _first_review(request, context, extracted, data.get("source_name") or "")


def _first_review(request, context, extracted, source_name):
    header = PlanHeaderForm(
        prefix="plan",
        initial={
            "title": extracted.title,
            "bureau": extracted.bureau,
            "year": extracted.year,
            "starts_at": extracted.starts_at,
            "source_name": source_name,
            "source_text": extracted.text,
        },
    )
    departments = list(Department.objects.all())
    users = list(get_user_model().objects.filter(is_active=True))
    formset = ExtractedTaskFormSet(
        prefix="tasks",
        initial=[ExtractedTaskForm.initial_for(task, departments=departments, users=users) for task in extracted.tasks],
    )
    return _review(request, context, header, formset, years=extracted.years)


def _review(request, context, header, formset, years=()):
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
            "starts_at": header["starts_at"].value(),
            "years": years if len(years) > 1 else (),
            "title": _("Review the plan before creating its tasks"),
        },
    )
