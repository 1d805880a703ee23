from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.views import two_factor
from plans.pacing import Health
from tracking import views as pages
from tracking.review_page import evidence_image, review_queue_page
from tracking.task_page import task_page
from tracking.views import evidence_download, healthz

admin.site.site_header = _("S&T Bureau Work Plan Tracker")
admin.site.site_title = _("Work Plan Tracker")
admin.site.index_title = _("Work plans and progress")

urlpatterns = [
    path("", pages.my_tasks, name="home"),
    path("overdue/", pages.task_list, {"health": Health.RED}, name="overdue"),
    path("behind-pace/", pages.task_list, {"health": Health.YELLOW}, name="behind-pace"),
    path("due-soon/", pages.task_list, {"health": Health.BLUE}, name="due-soon"),
    path("on-pace/", pages.task_list, {"health": Health.GREEN}, name="on-pace"),
    path("completed/", pages.task_list, {"health": Health.DONE}, name="completed"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("tasks/<int:pk>/", task_page, name="task"),
    path("healthz", healthz, name="healthz"),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
    path("evidence/<int:pk>/image/", evidence_image, name="evidence-image"),
    path("review/", review_queue_page, name="review-queue"),
    path("reports/", include("reports.urls")),
    path("reminders/", include("reminders.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/two-factor/", two_factor, name="two-factor"),
    # Progress updates moved from the tracking app to plans; bookmarks of the old admin pages still land.
    re_path(
        rf"^{settings.ADMIN_URL}tracking/(?P<model>progressupdate|evidence)/(?P<rest>.*)$",
        RedirectView.as_view(url=f"/{settings.ADMIN_URL}plans/%(model)s/%(rest)s", query_string=True, permanent=True),
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]
