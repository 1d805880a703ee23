"""Departments and people matched the way a bureau writes them."""

import pytest

from intake.sheet_import.names import DepartmentNames, remember_aliases
from plans.models import DepartmentAlias
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau():
    names = ("高新技术科", "成果转化科", "人才与国际合作科", "政策法规科", "办公室", "发展规划科")
    return {name: DepartmentFactory(name=name) for name in names}


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("高新技术科", "高新技术科"),
        ("高新科", "高新技术科"),
        ("成果科", "成果转化科"),
        ("人才科", "人才与国际合作科"),
        ("市科技局高新技术科", "高新技术科"),
        ("市科技局高新科", "高新技术科"),
        ("科技局成果转化科", "成果转化科"),
        ("嘉兴市科学技术局成果转化科", "成果转化科"),
        ("局办公室", "办公室"),
        ("政策法规处", "政策法规科"),
        (" 高新技术科 ", "高新技术科"),
    ],
)
def test_full_short_prefixed_and_differently_suffixed_names_find_their_department(bureau, written, meant):
    assert DepartmentNames().get(written) == bureau[meant]


def test_brackets_full_or_half_width_are_the_same_name():
    department = DepartmentFactory(name="科技创新服务中心（科技情报所）")
    assert DepartmentNames().get("科技创新服务中心(科技情报所)") == department


def test_the_short_name_field_and_remembered_aliases_are_matched(bureau):
    bureau["发展规划科"].short_name = "规划科"
    bureau["发展规划科"].save()
    remember_aliases({"科技金融组": bureau["成果转化科"]})
    names = DepartmentNames()
    assert names.get("规划科") == bureau["发展规划科"]
    assert names.get("科技金融组") == bureau["成果转化科"]
    assert DepartmentAlias.objects.count() == 1


def test_an_unknown_name_is_not_guessed_but_gets_the_closest_departments(bureau):
    names = DepartmentNames()
    assert names.get("科技合作交流科") is None  # 合作 could be several: nothing is chosen for the manager
    suggested = [department.name for department, _ in names.suggest("国际合作处")]
    assert suggested[0] == "人才与国际合作科"


def test_a_name_fitting_two_departments_is_left_to_the_manager(bureau):
    DepartmentFactory(name="高新产业科")
    assert DepartmentNames().get("高新科") is None
    assert {d.name for d, _ in DepartmentNames().suggest("高新科")} >= {"高新技术科", "高新产业科"}


def test_the_preview_choice_applies_to_this_import(bureau):
    names = DepartmentNames()
    names.resolve("外单位", None)
    names.resolve("服务组", bureau["办公室"])
    assert "外单位" in names and names.get("外单位") is None and names.get("服务组") == bureau["办公室"]


def test_a_department_page_lists_its_aliases_and_finds_the_department_by_one(client, bureau):
    from django.urls import reverse

    from tests.factories import UserFactory

    remember_aliases({"高新处": bureau["高新技术科"]})
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("admin:plans_department_change", args=[bureau["高新技术科"].pk])).content.decode()
    assert 'value="高新处"' in page
    found = client.get(reverse("admin:plans_department_changelist"), {"q": "高新处"}).context["cl"].result_list
    assert list(found) == [bureau["高新技术科"]]
