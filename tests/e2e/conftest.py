"""Real headless Chromium (Debian's) driven by Playwright against Django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it when run as root (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    def login_as(user, password="pw-for-tests"):
        page.goto(f"{live_server.url}/manage/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_selector("#user-tools")
        return page

    return login_as


@pytest.fixture
def current_plan(db):
    """A plan running around the real today, for journeys that need late and on-time tasks."""
    import datetime

    from django.utils import timezone

    from tests.factories import PlanFactory

    today = timezone.localdate()
    return PlanFactory(
        year=today.year,
        period_start=today - datetime.timedelta(days=200),
        period_end=today + datetime.timedelta(days=200),
    )
