"""The pages staff and managers use outside the admin: my tasks, the overdue list, the dashboard."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import audit_record
from plans.models import Evidence, Plan
from plans.pacing import Health
from plans.selectors import task_scope
from plans.words import date_words

from . import exports
from .charts import plan_progress_series_cached, progress_chart_svg
from .filters import TaskListFilter
from .health import health_report
from .selectors import health_counts, task_list_by_health, task_page_mine

PAGE_SIZE = 50
MY_TASKS_PAGE_SIZE = 100
LIST_TITLES = {
    Health.RED: gettext_lazy("Overdue tasks"),
    Health.YELLOW: gettext_lazy("Tasks behind pace"),
    Health.BLUE: gettext_lazy("Tasks due soon"),
    Health.GREEN: gettext_lazy("Tasks on pace"),
    Health.DONE: gettext_lazy("Completed tasks"),
}


def chart_plan(by_plan: list[dict], today) -> int:
    """The plan the dashboard's chart opens on: this year's (the largest if several), else the latest year's."""
    return max(by_plan, key=lambda row: (row["year"] == today.year, row["year"] or 0, row["total"], -row["id"]))["id"]


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


# Past any real list (a page holds MY_TASKS_PAGE_SIZE tasks); a larger number shows the last page.
MAX_PAGE_NUMBER = 100_000


@require_GET
def my_tasks(request):
    today = timezone.localdate()
    try:
        # Bounded: a page number past the database's integers was an HTTP 500 (bigint out of range).
        number = min(max(1, int(request.GET.get("page") or 1)), MAX_PAGE_NUMBER)
    except ValueError:
        number = 1
    tasks, total, waiting = task_page_mine(user=request.user, today=today, number=number, per_page=MY_TASKS_PAGE_SIZE)
    paginator = Paginator([], MY_TASKS_PAGE_SIZE)
    paginator.count = total
    if not tasks and total:  # past the last page: show the last one, as Paginator.get_page does
        number = paginator.num_pages
        tasks, total, waiting = task_page_mine(
            user=request.user, today=today, number=number, per_page=MY_TASKS_PAGE_SIZE
        )
    page = paginator.get_page(number)
    page.object_list = tasks
    plans: dict[int, dict] = {}
    for task in tasks:
        plans.setdefault(task.plan_id, {"plan": task.plan, "tasks": []})["tasks"].append(task)
    return render(
        request,
        "tracking/my_tasks.html",
        {"plans": list(plans.values()), "page": page, "today": today, "waiting": waiting},
    )


@require_GET
def task_list(request, health: str):
    """/overdue/, /behind-pace/, /due-soon/: one list, three colours; ?format=xlsx exports what is shown."""
    today = timezone.localdate()
    chosen = request.GET.get("health") or health
    if chosen not in LIST_TITLES:
        raise Http404
    base = task_list_by_health(user=request.user, today=today, health=chosen)
    # The 状态 choice starts on this list's own colour, so that filtering keeps the list it is on.
    data = request.GET.copy()
    data.setdefault("health", chosen)
    listing = TaskListFilter(data, queryset=base, request=request)
    tasks = listing.qs if listing.is_valid() else base
    if not request.GET.get("ordering"):
        # Earliest deadline first: the longest overdue on the red list; served by the (colour, deadline) index.
        tasks = tasks.order_by("deadline", "code")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.task_list_xlsx(tasks, title=str(LIST_TITLES[chosen]), today=today),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{LIST_TITLES[chosen]}-{date_words(today)}.xlsx"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        audit_record(action=Action.EXPORT, request=request, object_type="plans.task", detail=name)
        return response
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # What the user chose beyond the list itself: the filters start open when there is any.
    chosen_filters = [
        name for name, value in query.items() if value and name != "format" and (name, value) != ("health", chosen)
    ]
    return render(
        request,
        "tracking/task_list.html",
        {
            "title": LIST_TITLES[chosen],
            "health": chosen,
            "filter": listing,
            "page": page,
            "today": today,
            "query": query.urlencode(),
            "chosen_filters": len(chosen_filters),
        },
    )


@require_GET
def dashboard(request):
    today = timezone.localdate()
    counts = health_counts(task_scope(request.user).filter(plan__state=Plan.State.ACTIVE))
    by_plan, by_department = counts["plan"], counts["lead_department"]
    plan = None
    if by_plan:
        chosen = request.GET.get("plan")
        ids = {row["id"] for row in by_plan}
        plan = Plan.objects.get(
            pk=int(chosen) if chosen and chosen.isdigit() and int(chosen) in ids else chart_plan(by_plan, today)
        )
    # The chart averages only the tasks this user may see.
    series = plan_progress_series_cached(plan, user=request.user, today=today) if plan else []
    chart = progress_chart_svg(series, actual_label=_("percent"), expected_label=_("expected"))
    return render(
        request,
        "tracking/dashboard.html",
        {
            "by_plan": by_plan,
            "by_department": by_department,
            "plan": plan,
            "chart": chart,
            "today": today,
            # In ranking order: a tie on one column is broken by the next (ranking_key).
            "colours": [Health.RED, Health.YELLOW, Health.BLUE, Health.GREEN, Health.DONE],
        },
    )
