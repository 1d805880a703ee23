"""The review page of the plan-document import, as a manager uses it in Chinese."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Plan, Task
from tests.factories import DepartmentFactory, UserFactory
from tests.intake import pdf_maker
from tests.intake.test_document_admin import confirm_data, row_index

pytestmark = pytest.mark.django_db
URL = reverse("admin:plans_plan_import_document")
PLAN = (
    "某县科技局2025年工作要点\n"
    "一、主要目标\n"
    "到2027年,全县高新技术企业突破60家;科技型中小企业入库达到300家。\n"
    "二、重点任务\n"
    "1.上半年出台科技创新券管理办法。(牵头科室:成果科;责任人:李娜)\n"
    "2.全年新认定高新技术企业12家以上。(高新科牵头)\n"
)


def upload(client, text=PLAN, **data):
    response = client.post(URL, {"text": text, "_upload": "1", **data}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response


def test_the_deadlines_read_are_filled_in_on_the_chinese_page_and_come_back_unchanged(client, manager):
    client.force_login(manager)
    response = upload(client)
    page = response.content.decode()
    assert 'value="2025-06-30"' in page and 'value="2027-12-31"' in page
    assert "2025/06/30" not in page
    result = client.post(URL, confirm_data(response), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert result.status_code == 302
    assert Task.objects.get(title__startswith="上半年出台").deadline == datetime.date(2025, 6, 30)
    assert Plan.objects.get().period_end == datetime.date(2027, 12, 31)  # a plan of several years runs to its end


def test_an_unticked_item_is_not_checked_even_when_its_fields_are_wrong(client, manager):
    client.force_login(manager)
    response = upload(client)
    data = confirm_data(response)
    i = row_index(response, "二.1")
    data.pop(f"tasks-{i}-include")
    data[f"tasks-{i}-deadline"] = ""
    data[f"tasks-{i}-title"] = ""
    data[f"tasks-{i}-value"] = "not a number"
    result = client.post(URL, data)
    assert result.status_code == 302, [f.errors for f in result.context["formset"].forms if f.errors]
    assert not Task.objects.filter(code="二.1").exists() and Task.objects.filter(code="二.2").exists()


def test_lead_departments_and_owners_named_in_the_text_are_suggested_and_saved(client, manager):
    outcomes = DepartmentFactory(name="成果转化科")
    hightech = DepartmentFactory(name="高新技术科", short_name="")
    li = UserFactory(username="lina", full_name="李娜", departments=[outcomes])
    client.force_login(manager)
    response = upload(client)
    forms = {form["code"].value(): form for form in response.context["formset"].forms}
    assert forms["二.1"]["lead_department"].value() == outcomes.pk and forms["二.1"]["owner"].value() == li.pk
    assert forms["二.2"]["lead_department"].value() == hightech.pk
    assert forms["一"]["lead_department"].value() is None
    data = confirm_data(response)
    data[f"tasks-{row_index(response, '一.1')}-lead_department"] = str(hightech.pk)  # the manager assigns one
    assert client.post(URL, data).status_code == 302
    assert Task.objects.get(code="二.1").lead_department == outcomes and Task.objects.get(code="二.1").owner == li
    assert Task.objects.get(code="一.1").lead_department == hightech


def test_the_page_says_where_the_plan_part_starts(client, manager):
    client.force_login(manager)
    text = "2024年工作总结\n2024年,全县新增高新技术企业10家。\n2025年工作计划\n2025年,全县将新增高新技术企业15家以上。"
    response = upload(client, text)
    assert response.context["starts_at"].startswith("2025年,全县将新增")
    assert "2025年,全县将新增" in response.content.decode()


def test_a_plan_of_several_years_is_read_again_for_the_year_the_user_chooses(client, manager):
    client.force_login(manager)
    response = upload(client)
    assert response.context["years"] == [2025, 2027]
    data = confirm_data(response)
    data.pop("_confirm")
    data.update({"_reread": "1", "plan-year": "2026"})
    again = client.post(URL, data)
    forms = {form["code"].value(): form for form in again.context["formset"].forms}
    assert forms["二.1"]["deadline"].value() == datetime.date(2026, 6, 30)
    assert forms["一.1"]["deadline"].value() == datetime.date(2027, 12, 31)
    assert again.context["header"]["year"].value() == 2026


def test_a_document_without_its_issuer_asks_for_it_on_the_page_and_writes_nothing(client, manager):
    client.force_login(manager)
    response = upload(client, "1、新认定高新技术企业10家。\n2、技术合同成交额达到2亿元。", year="2025")
    data = confirm_data(response)
    result = client.post(URL, data)
    assert result.status_code == 200 and result.context["header"].errors["bureau"]
    assert not Plan.objects.exists()


def test_a_pdf_upload_is_read_and_a_scanned_one_is_refused_in_chinese(client, manager):
    client.force_login(manager)
    pdf = SimpleUploadedFile("要点.pdf", pdf_maker.make_pdf(PLAN), content_type="application/pdf")
    response = client.post(URL, {"file": pdf, "_upload": "1"})
    assert len(response.context["formset"].forms) == 6
    scanned = SimpleUploadedFile("扫描件.pdf", pdf_maker.make_scanned_pdf(), content_type="application/pdf")
    refused = client.post(URL, {"file": scanned, "_upload": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = refused.content.decode()
    assert "“扫描件.pdf”是扫描件 PDF" in page and "没有文字层" in page and "另存为 .docx" in page
    assert not Plan.objects.exists()


def test_the_command_line_names_its_options_where_the_document_is_silent(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    plan = tmp_path / "list.txt"
    plan.write_text("1、新认定高新技术企业10家。\n2、技术合同成交额达到2亿元。", encoding="utf-8")
    with pytest.raises(CommandError, match=r"plan year.*--year"):
        call_command("import_plan", str(plan), stdout=StringIO())
    with pytest.raises(CommandError, match=r"title、issuing bureau.*--plan-title, --bureau"):
        call_command("import_plan", str(plan), "--year", "2025", stdout=StringIO())
    assert not Plan.objects.exists()
    call_command(
        "import_plan",
        str(plan),
        "--year",
        "2025",
        "--plan-title",
        "2025年要点",
        "--bureau",
        "某县科技局",
        stdout=StringIO(),
    )
    assert Plan.objects.get().tasks.count() == 2
