"""The lists and the dashboard in a real browser, at a desk (1366×900) and on a phone (390×844).

- A manager filters each list and stays on it, and follows a dashboard count to the list it counts.
- axe-core (tests/e2e/vendor, injected from the file: no CDN) finds nothing on each role's pages.
- Every page is usable with the keyboard alone: a visible focus ring, and 筛选 reached and pressed by keys.
- Screenshots of the lists and the dashboard land in var/screens/ to look at.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import ProgressUpdateFactory, TaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENS = Path(settings.BASE_DIR) / "var" / "screens"
SIZES = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def lists(current_plan, department_a, department_b, staff_a):
    today = timezone.localdate()
    days = datetime.timedelta
    made = {}
    for n, department in enumerate((department_a, department_b)):
        made[f"late{n}"] = TaskFactory(
            plan=current_plan,
            code=f"一.{n + 1}",
            title="新认定国家高新技术企业，高新技术产业投资增长",
            lead_department=department,
            owner=staff_a,
            deadline=today - days(10 + n),
        )
        made[f"soon{n}"] = TaskFactory(
            plan=current_plan,
            code=f"二.{n + 1}",
            title="举办科技成果拍卖会",
            lead_department=department,
            deadline=today + days(5),
        )
        made[f"slow{n}"] = TaskFactory(
            plan=current_plan, code=f"三.{n + 1}", title="建设省级新型研发机构", lead_department=department
        )
        on_pace = TaskFactory(
            plan=current_plan, code=f"四.{n + 1}", title="组织实施重点研发项目", lead_department=department
        )
        ProgressUpdateFactory(task=on_pace, value=Decimal(399), reported_by=staff_a)
    return made


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def axe_violations(page) -> list[str]:
    # Evaluated through the browser's debugging protocol, which the site's CSP (no inline script) does not
    # govern; a script tag would be refused, as it should be.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => v.id + ' ×' + v.nodes.length + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))",
        AXE_TAGS,
    )
    return result


def codes(page) -> list[str]:
    return sorted(page.locator("#task-list tbody tr td:first-child").all_inner_texts())


@pytest.mark.parametrize("size", SIZES)
def test_a_manager_filters_each_list_and_follows_a_dashboard_count(
    login, live_server, manager, lists, department_a, size
):
    page = login(manager)
    page.set_viewport_size(SIZES[size])
    SCREENS.mkdir(parents=True, exist_ok=True)
    for name, title, code in (
        ("overdue", "逾期任务", "一.1"),
        ("behind-pace", "滞后任务", "三.1"),
        ("due-soon", "临近到期任务", "二.1"),
    ):
        page.goto(f"{live_server.url}/{name}/")
        page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=True)
        assert no_sideways_scroll(page), f"/{name}/ scrolls sideways at {size}"
        # Folded on a phone so that the list shows first; open at a desk.
        assert page.locator("details.filter-panel").get_attribute("open") == (None if size == "phone" else "")
        if size == "phone":
            assert page.locator("#task-list").is_visible() and not page.locator("#id_department").is_visible()
            page.click("details.filter-panel summary")
        page.select_option("#id_department", label=department_a.name)
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == title  # the list it was on, not the overdue one
        assert codes(page) == [code]
        assert page.locator("#id_health").input_value() == {"overdue": "red", "behind-pace": "yellow"}.get(name, "blue")
        assert "已选 1 项" in page.inner_text("details.filter-panel summary")  # open after filtering, on a phone too
        assert no_sideways_scroll(page)
    # 正常推进 works too.
    page.select_option("#id_health", label="正常推进")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "正常推进任务" and codes(page) == ["四.1"]

    page.goto(f"{live_server.url}/dashboard/")
    page.screenshot(path=str(SCREENS / f"dashboard-{size}.png"), full_page=True)
    assert no_sideways_scroll(page), f"the dashboard scrolls sideways at {size}"
    assert page.locator("svg").count() >= 1
    # The 滞后 count of 高新技术科 leads to that department's behind-pace list.
    link = page.get_by_role("link", name=f"{department_a.name}滞后任务1项")
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "滞后任务"
    assert codes(page) == ["三.1"]
    assert page.locator("#id_department").input_value() == str(department_a.pk)


@pytest.mark.parametrize("persona", ["staff_a", "manager"])
def test_axe_finds_nothing_on_each_roles_pages(login, live_server, request, lists, persona):
    user = request.getfixturevalue(persona)
    page = login(user)
    urls = ["/", "/overdue/", "/behind-pace/", "/due-soon/", "/dashboard/", f"/tasks/{lists['late0'].pk}/"]
    urls += ["/reminders/settings/", "/no-such-page/"]
    if persona == "manager":
        urls += ["/reports/"]
    found = {}
    for size in SIZES.values():
        page.set_viewport_size(size)
        for url in urls:
            page.goto(f"{live_server.url}{url}")
            if violations := axe_violations(page):
                found[f"{url} at {size['width']}px"] = violations
    assert not found, found
    # The check itself can fail: an unlabelled input and grey-on-white text are found.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<input type=text><p style=\"color:#bbb;background:#fff\">浅色文字</p>')"
    )
    assert {v.split(" ")[0] for v in axe_violations(page)} >= {"label", "color-contrast"}


def test_the_lists_work_with_the_keyboard_alone_with_a_visible_focus(login, live_server, manager, lists, department_a):
    page = login(manager)
    page.set_viewport_size(SIZES["desk"])
    page.goto(f"{live_server.url}/behind-pace/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"  # shown when focused
    # Tab to the department filter, choose by keys, tab on to 筛选 and press it.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_department":
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "no visible focus on the filter"
    page.keyboard.press("ArrowDown")  # the first department in the list
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "滞后任务"
    assert "department=" in page.url
