from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from tracking.views import evidence_download, healthz

admin.site.site_header = _("S&T Bureau Work Plan Tracker")
admin.site.site_title = _("Work Plan Tracker")
admin.site.index_title = _("Work plans and progress")

urlpatterns = [
    path("", login_required(RedirectView.as_view(pattern_name="admin:index")), name="home"),
    path("healthz", healthz, name="healthz"),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]
