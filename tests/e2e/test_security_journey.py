"""In a real browser: the pages run under the Content-Security-Policy without a single violation, the
language switch works from its static script, and a locked-out login reads a Chinese page."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pages_run_under_the_policy_and_the_language_switch_works(page, login, live_server, manager, task_a):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    login(manager)
    for path in ("/", "/overdue/", "/dashboard/", "/manage/plans/task/", f"/manage/plans/task/{task_a.pk}/change/"):
        page.goto(f"{live_server.url}{path}")
    assert violations == []
    page.goto(f"{live_server.url}/manage/")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []


def test_a_locked_out_login_reads_a_chinese_page(page, live_server, staff_a):
    for _ in range(5):
        page.goto(f"{live_server.url}/manage/login/")
        page.fill("#id_username", staff_a.username)
        page.fill("#id_password", "wrong-Password1")
        page.click("input[type=submit]")
    assert "锁定" in page.content()
