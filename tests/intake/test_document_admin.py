"""The admin's import of a plan document: read, review, correct, create."""

import re

import pytest
from django.urls import reverse

from plans.models import Plan, Task
from tests.intake.extraction_scoring import SEEDS

pytestmark = pytest.mark.django_db
URL = reverse("admin:plans_plan_import_document")


def review_page(client, **data):
    with (SEEDS / "002_db6da37ce7d33ff1.txt").open("rb") as document:
        response = client.post(URL, {"file": document, "_upload": "1", **data})
    assert response.status_code == 200
    return response


def confirm_data(response):
    """What the browser posts back: every field of the review page, as rendered."""
    header, formset = response.context["header"], response.context["formset"]
    data = {"_confirm": "1"}
    for form in (header, *formset.forms):
        for field in form:
            value = field.value()
            if field.name == "include":
                if value:
                    data[field.html_name] = "on"
                continue
            data[field.html_name] = "" if value is None else value
    management = formset.management_form
    for field in management:
        data[field.html_name] = field.value()
    return data


def row_index(response, code):
    return next(i for i, form in enumerate(response.context["formset"].forms) if form["code"].value() == code)


def test_a_manager_reads_reviews_corrects_and_creates_a_plan(client, manager):
    client.force_login(manager)
    response = review_page(client)
    content = response.content.decode()
    assert "新认定高新技术企业400家以上" in content  # the plan's own words beside the reading
    data = confirm_data(response)
    i = row_index(response, "二.4.b")
    data[f"tasks-{i}-value"] = "450"  # the manager corrects a reading
    data.pop(f"tasks-{row_index(response, '五.15')}-include")  # and leaves one item out
    data["plan-title"] = "嘉兴2025督办"
    result = client.post(URL, data)
    assert result.status_code == 302, result.context and [f.errors for f in result.context["formset"].forms if f.errors]
    plan = Plan.objects.get(title="嘉兴2025督办")
    assert plan.state == Plan.State.DRAFT and plan.created_by == manager
    assert plan.tasks.get(code="二.4.b").target_value == 450
    assert not plan.tasks.filter(code="五.15").exists()
    assert plan.tasks.count() == 31


def test_a_wrong_correction_is_shown_on_its_row_and_nothing_is_created(client, manager):
    client.force_login(manager)
    response = review_page(client)
    data = confirm_data(response)
    i = row_index(response, "四.12")
    data[f"tasks-{i}-value_max"] = "5"  # 8 to 5 is not a range
    result = client.post(URL, data)
    assert result.status_code == 200
    assert result.context["formset"].forms[i].errors
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_leaving_out_a_parent_hangs_its_children_on_the_grandparent(client, manager):
    client.force_login(manager)
    response = review_page(client)
    data = confirm_data(response)
    data.pop(f"tasks-{row_index(response, '二.4')}-include")
    assert client.post(URL, data).status_code == 302
    assert Task.objects.get(code="二.4.a").parent.code == "二"


def test_a_pasted_text_works_like_a_file(client, manager):
    client.force_login(manager)
    text = (SEEDS / "002_db6da37ce7d33ff1.txt").read_text(encoding="utf-8")
    response = client.post(URL, {"text": text, "_upload": "1"})
    assert len(response.context["formset"].forms) == 32


def test_flagged_readings_are_highlighted_for_review(client, manager):
    client.force_login(manager)
    with (SEEDS / "004_ac3e7e1de5ce8485.txt").open("rb") as document:
        response = client.post(URL, {"file": document, "_upload": "1"})
    assert response.context["flagged"] > 0
    assert len(re.findall(r'<tr class="flagged', response.content.decode())) == response.context["flagged"]


def test_an_unreadable_upload_says_why(client, manager):
    client.force_login(manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(URL, {"file": SimpleUploadedFile("plan.docx", b"PK\x03\x04junk"), "_upload": "1"})
    assert response.status_code == 200
    assert "“plan.docx”不是可读取的 .docx 文件" in response.content.decode()  # in the page's language
    assert not Plan.objects.exists()


def test_staff_cannot_import_plans(client, staff_a):
    client.force_login(staff_a)
    assert client.get(URL).status_code == 403
