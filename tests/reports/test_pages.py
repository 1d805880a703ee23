"""The managers' report pages, downloads and admin; staff are refused."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from reports.models import Report
from reports.services import report_build

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(october):
    with time_machine.travel(at("2025-11-10"), tick=False):
        return report_build(kind="month", day=datetime.date(2025, 10, 1))


def test_a_manager_reads_the_report_with_its_tables_and_chart(client, manager, report):
    client.force_login(manager)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert report.title in page and "<svg" in page
    assert "截至2025年10月31日，全局共有重点任务5项" in page
    assert page.index("成果转化科") < page.index("高新技术科", page.index('id="by-department"'))
    listing = client.get(reverse("reports:list")).content.decode()
    assert report.title in listing and reverse("reports:download", args=[report.pk, "docx"]) in listing


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_manager_downloads_the_files(client, manager, report, kind):
    client.force_login(manager)
    response = client.get(reverse("reports:download", args=[report.pk, kind]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize(
    "url",
    [
        lambda r: reverse("reports:list"),
        lambda r: reverse("reports:detail", args=[r.pk]),
        lambda r: reverse("reports:download", args=[r.pk, "xlsx"]),
        lambda r: reverse("reports:download", args=[r.pk, "docx"]),
        lambda r: reverse("admin:reports_report_changelist"),
        lambda r: reverse("admin:reports_report_build"),
    ],
)
def test_staff_are_refused(client, staff_a, report, url):
    client.force_login(staff_a)
    assert client.get(url(report)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, report):
    response = client.get(reverse("reports:download", args=[report.pk, "xlsx"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_media_is_not_served_publicly(client, report):
    assert client.get(f"/media/{report.xlsx.name}").status_code in (302, 404)


def test_the_report_page_costs_the_same_queries_however_many_tasks(
    client, manager, report, plan, django_assert_num_queries
):
    from tests.factories import TaskFactory, one_derived_refresh

    client.force_login(manager)
    url = reverse("reports:detail", args=[report.pk])
    client.get(url)
    # session, user, groups, report, overdue rows, target rows, the top bar's review count
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    with time_machine.travel(at("2025-09-01"), tick=False), one_derived_refresh():
        for n in range(30):
            TaskFactory(plan=plan, code=f"x{n}", deadline=datetime.date(2025, 10, 1))
    with time_machine.travel(at("2025-11-10"), tick=False):
        bigger = report_build(kind="month", day=datetime.date(2025, 10, 1), force=False)
        week = report_build(kind="week", day=datetime.date(2025, 10, 27))
    assert bigger.pk == report.pk and week.figures["overdue"] == 33
    with django_assert_num_queries(7):
        assert client.get(reverse("reports:detail", args=[week.pk])).status_code == 200


def test_a_manager_builds_a_report_for_a_past_period_in_the_admin(client, manager, october):
    client.force_login(manager)
    url = reverse("admin:reports_report_build")
    assert client.get(url).status_code == 200
    with time_machine.travel(at("2025-11-10"), tick=False):
        response = client.post(url, {"kind": "week", "day": "2025-10-01"})
        assert response.status_code == 302
        refused = client.post(url, {"kind": "month", "day": "2025-11-01"})
    assert "2025-11-30" in refused.content.decode()  # "… ends on 2025-11-30 …", in the page's language
    report = Report.objects.get()
    assert (report.kind, report.period_start, report.built_by) == ("week", datetime.date(2025, 9, 29), manager)
    changelist = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert reverse("reports:download", args=[report.pk, "xlsx"]) in changelist
    assert client.get(reverse("admin:reports_report_change", args=[report.pk])).status_code == 200


def test_an_administrator_deletes_a_report_with_its_files_and_snapshot(
    client, report, django_capture_on_commit_callbacks
):
    from reports.models import Snapshot, TaskSnapshot
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True))
    files = [report.xlsx.path, report.docx.path]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Report.objects.exists() and not Snapshot.objects.exists() and not TaskSnapshot.objects.exists()
    assert not any(Path(path).exists() for path in files)


def test_the_list_filters_the_bureau_and_each_department(client, manager, report, department_b):
    with time_machine.travel(at("2025-11-10"), tick=False):
        own = report_build(kind="month", day=datetime.date(2025, 10, 1), department=department_b)
    client.force_login(manager)

    def titles(query: str) -> list[str]:
        page = client.get(reverse("reports:list") + query).content.decode()
        return [r.title for r in (report, own) if f">{r.title}<" in page]

    assert titles("") == [report.title, own.title]
    assert titles("?department=bureau") == [report.title]
    assert titles(f"?department={department_b.pk}") == [own.title]
    assert titles("?department=nonsense") == [report.title, own.title]
    detail = client.get(reverse("reports:detail", args=[own.pk])).content.decode()
    assert "成果转化科共有重点任务2项" in detail


def test_a_manager_builds_a_department_report_in_the_admin(client, manager, october, department_a):
    client.force_login(manager)
    with time_machine.travel(at("2025-11-10"), tick=False):
        response = client.post(
            reverse("admin:reports_report_build"),
            {"kind": "month", "day": "2025-10-15", "department": department_a.pk},
        )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.department == department_a and report.figures["total"]["total"] == 3
