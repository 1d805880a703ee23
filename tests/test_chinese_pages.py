"""Every page, as each role sees it, reads in Chinese: no untranslated English words and no "None".

A page is drawn for the staff member, the manager and the administrator; its visible text (scripts,
styles and tags removed) may hold English only from the allowlist: proper nouns, file formats and
the personas' user names.
"""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from plans.models import Task
from plans.services import task_save
from reports.periods import MONTH
from reports.services import report_build
from tests.factories import ProgressUpdateFactory, TaskFactory
from tracking.derived import task_derived_rollover

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2025, 11, 15, 10, tzinfo=datetime.UTC)
ALLOWED = {
    # file formats, proper nouns (keys a keyboard has) and the personas' user names
    "xlsx", "docx", "csv", "pdf", "html", "excel", "word", "wecom", "dingtalk", "email", "control", "command", "mac",
    "keyuan", "kezhang", "xitong",
    "english",  # the language chooser names each language in its own words
}  # fmt: skip
# Django's admin writes a boolean's icon with alt="True"/"False"/"None", in no language (admin_list._boolean_icon).
BOOLEAN_ICONS = re.compile(r'<img src="[^"]*/admin/img/icon-(?:yes|no|unknown)\.svg" alt="(?:True|False|None)">')
ENGLISH = re.compile(r"\b[A-Za-z][A-Za-z]{2,}\b")


def visible_text(html: str) -> str:
    html = BOOLEAN_ICONS.sub(" ", html)
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    # Text in attributes a reader meets: titles, labels, placeholders, button values.
    said = " ".join(re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', html))
    return unescape(re.sub(r"<[^>]+>", " ", html) + " " + said)


def english_words(html: str) -> set[str]:
    words = {w for w in ENGLISH.findall(visible_text(html)) if w.lower().rstrip("s") not in ALLOWED}
    return {w for w in words if w.lower() not in ALLOWED}


@pytest.fixture
def world(plan, department_a, staff_a, manager):
    with time_machine.travel(datetime.datetime(2025, 9, 1, 2, tzinfo=datetime.UTC), tick=False):
        task = TaskFactory(plan=plan, code="1.1", title="新认定高企", lead_department=department_a, owner=staff_a)
        late = datetime.date(2025, 10, 1)
        TaskFactory(plan=plan, code="1.2", title="出台政策", lead_department=department_a, deadline=late)
        ProgressUpdateFactory(task=task, value=Decimal(120), period="2025-09", reported_by=staff_a)
        # A change of owner to nobody and of target: the history's "None" and field names of before.
        task.owner = None
        task.target_value = Decimal("450")
        task_save(task=task, user=manager)  # through the service, which keeps the stored colour (tracking.derived)
    report = report_build(kind=MONTH, day=datetime.date(2025, 10, 1), today=datetime.date(2025, 11, 3))
    return {"task": task, "report": report}


def pages(world) -> dict[str, list[str]]:
    task, report = world["task"], world["report"]
    site = [
        reverse("home"),
        reverse("overdue"),
        reverse("behind-pace"),
        reverse("due-soon"),
        reverse("on-pace"),
        reverse("completed"),
        reverse("dashboard"),
        reverse("task", args=[task.pk]),
        reverse("reminders:settings"),
        "/no-such-page/",
    ]
    manager = [
        *site,
        reverse("reports:list"),
        reverse("reports:detail", args=[report.pk]),
        reverse("admin:index"),
        reverse("admin:plans_task_changelist"),
        reverse("admin:plans_task_change", args=[task.pk]),
        reverse("admin:plans_task_history", args=[task.pk]),
        reverse("admin:plans_plan_changelist"),
        reverse("admin:plans_progressupdate_changelist"),
        reverse("admin:reports_report_changelist"),
        "/manage/no-such-page/",
    ]
    return {"staff_a": site, "manager": manager, "administrator": [*manager, reverse("admin:accounts_user_changelist")]}


@pytest.mark.parametrize("persona", ["staff_a", "manager", "administrator"])
def test_every_page_reads_in_chinese_for_each_role(client, request, world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    found = {}
    with time_machine.travel(TODAY, tick=False):
        for url in pages(world)[persona]:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            assert response.status_code in (200, 404), (url, response.status_code)
            html = response.content.decode()
            words = english_words(html)
            if "None" in visible_text(html).split():
                words.add("None")
            if words:
                found[url] = sorted(words)
    assert not found, f"English or None on the pages of {persona}: {found}"


def test_the_404_page_is_chinese_in_the_sites_frame_also_under_the_admin(client, manager):
    client.force_login(manager)
    for url in ("/no-such-page/", "/manage/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html and 'class="site-header"' in html


def test_the_task_history_names_fields_and_values_in_words(client, world, manager):
    client.force_login(manager)
    html = client.get(reverse("admin:plans_task_history", args=[world["task"].pk])).content.decode()
    text = visible_text(html)
    assert "TARGET_VALUE" not in text and "target_value" not in text and "pk=None" not in text
    assert "（未设置）" in text and "450" in text and "450.0000" not in text


def test_an_owner_since_deleted_is_told_as_such():
    from simple_history.models import DeletedObject

    from plans.history_words import value_words

    field = Task._meta.get_field("lead_department")
    assert value_words(field, DeletedObject(field.related_model, None)) == "(not set)"
    assert value_words(field, DeletedObject(field.related_model, 7)).startswith("deleted ")
    assert value_words(Task._meta.get_field("target_value"), Decimal("66.0000")) == "66"
    assert value_words(Task._meta.get_field("kind"), Task.Kind.MILESTONE) == str(Task.Kind.MILESTONE.label)


def test_one_date_style_on_the_site_and_in_the_admin(client, world, manager):
    client.force_login(manager)
    with time_machine.travel(TODAY, tick=False):
        task_derived_rollover(today=TODAY.date())  # the night's colours: the task due 2025-10-01 is overdue
        site = client.get(reverse("overdue")).content.decode()
        admin = client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert "2025-10-01" in site and "2025-10-01" in admin
    assert "2025年10月1日" not in admin and "2025年10月1日" not in site


def test_a_page_a_role_may_not_open_says_so_in_chinese(client, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("reports:list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and 'class="site-header"' in html and "Forbidden" not in html


def test_the_ledger_and_report_downloads_are_named_in_chinese(client, world, manager):
    from urllib.parse import unquote

    client.force_login(manager)
    with time_machine.travel(TODAY, tick=False):
        for fmt, name in (("xlsx", "任务台账-2025年11月15日.xlsx"), ("csv", "任务台账-2025年11月15日.csv")):
            response = client.get(reverse("admin:plans_task_export"), {"format": fmt})
            disposition = response["Content-Disposition"]
            assert disposition.startswith("attachment; filename*=utf-8''")
            assert unquote(disposition.split("''", 1)[1]) == name
        # In the same sitting: the session ends after 30 idle minutes (accounts.middleware).
        report = world["report"]
        response = client.get(reverse("reports:download", args=[report.pk, "docx"]))
    assert response.status_code == 200, response.status_code
    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == f"{report.title}.docx"


def test_the_500_page_is_chinese_in_the_sites_frame():
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert "系统出错" in html and 'class="site-header"' in html
    assert not english_words(html)
