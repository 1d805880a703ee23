"""Staff and managers' daily path in a real browser, at a desk (1366×900) and on a phone (390×844):
report with a photo, withdraw and correct, clear the review queue, see a returned report's reason
and send it again. Each step asserts what the person sees, and no sideways scroll on the phone.
Screenshots go to var/screens/ to be looked at."""

import datetime
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from plans.models import ProgressUpdate, ReviewState
from tests.factories import TaskFactory
from tracking import reviews
from tracking.services import progress_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENS = Path(django_settings.BASE_DIR) / "var" / "screens"
VIEWPORTS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def photo_png(width=48, height=32) -> bytes:
    """A small real PNG (a phone photo stands in): rows of RGB pixels, zlib-compressed."""
    raw = b"".join(
        b"\x00" + b"".join(bytes((x * 5 % 256, 120, (200 - y * 3) % 256)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser):
    """A page of the given size; on the phone, a touch screen."""
    phone = request.param == "phone"
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=VIEWPORTS[request.param], is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.viewport_name = request.param
    yield page
    context.close()


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/manage/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def look(page, name: str) -> None:
    """Screenshot for a person to look at, and no sideways scroll on any width."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{page.viewport_name}.png"), full_page=True)
    # Against the device's own width: a phone browser widens its layout viewport (innerWidth) to fit
    # content that overflows, so innerWidth alone would hide the overflow.
    device = page.viewport_size["width"]
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner == device, f"{name} scrolls sideways on a {device}px screen: {width}px wide"


def tap_targets_too_small(page, selector: str) -> list:
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null)
             .map(e => e.getBoundingClientRect()).filter(r => r.height < 44 || r.width < 44)
             .map(r => [r.width, r.height])""",
        selector,
    )


@pytest.fixture
def task(current_plan, department_a, staff_a):
    return TaskFactory(
        plan=current_plan,
        code="三.9",
        title="新认定国家高新技术企业，全年新增培育入库科技型中小企业",
        lead_department=department_a,
        owner=staff_a,
        target_value=Decimal(50),
        unit="家",
        start_date=current_plan.period_start,
        deadline=timezone.localdate() + datetime.timedelta(days=60),
    )


def test_staff_report_from_the_phone_with_a_photo(screen, live_server, staff_a, task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(photo_png())
    page = screen
    sign_in(page, live_server, staff_a)
    page.goto(f"{live_server.url}/")
    card = page.locator("table.my-tasks tbody tr", has_text="三.9")
    assert "50家" in card.inner_text()
    look(page, "my-tasks")
    assert tap_targets_too_small(page, "table.my-tasks a.button") == []
    card.locator("a.button").click()
    page.wait_for_selector("#report-form")
    owed = timezone.localdate().strftime("%Y-%m")
    assert page.input_value("#id_period") == owed  # the period owed now, chosen for them
    assert page.eval_on_selector("#id_value", "e => parseFloat(getComputedStyle(e).fontSize)") >= 16
    assert tap_targets_too_small(page, "#report-form button, #report-form input[type=text], #report-form select") == []
    page.fill("#id_value", "1e5")
    page.click("#report-form button[type=submit]")
    assert "不是有效数字" in page.inner_text("#report-form")
    page.fill("#id_value", "100000")  # two thousand times the target: asked to confirm, with a reason
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#id_confirm")
    assert "超过目标值（50家）的10倍" in page.inner_text("#report-form")
    look(page, "confirm")
    assert not ProgressUpdate.objects.exists()
    page.fill("#id_value", "18")
    page.fill("#id_narrative", "新认定18家，名单见照片")
    page.set_input_files("#id_evidence_files", str(photo))
    look(page, "report-form")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "待审核" in page.inner_text(".notice.waiting") and "18家" in page.inner_text(".notice.waiting")
    look(page, "task-reported")
    update = ProgressUpdate.objects.get()
    assert (update.value, update.period, update.evidence.get().original_name) == (Decimal(18), owed, "现场照片.png")


def test_staff_withdraw_and_correct_a_waiting_report(screen, live_server, staff_a, task):
    page = screen
    sign_in(page, live_server, staff_a)
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    page.fill("#id_value", "20")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".notice.waiting")
    page.click(".notice.waiting >> text=修改")
    page.wait_for_selector("#report-form input[name=update]", state="attached")
    assert page.input_value("#id_value") == "20"
    page.fill("#id_value", "22")
    look(page, "correcting")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert "22家" in page.inner_text(".notice.waiting") and "填报已修改" in page.inner_text(".messages")
    assert ProgressUpdate.objects.get().value == Decimal(22)
    page.click(".notice.waiting >> text=撤回")
    page.wait_for_selector(".messages")
    assert "填报已撤回" in page.inner_text(".messages") and page.locator(".notice.waiting").count() == 0
    look(page, "withdrawn")
    assert not ProgressUpdate.objects.exists()


def test_a_manager_clears_the_queue_approving_several_and_returning_one(
    screen, live_server, staff_a, manager, task, current_plan, department_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile

    others = [
        TaskFactory(plan=current_plan, code=f"三.{n}", title=f"第{n}项重点任务", lead_department=department_a)
        for n in (10, 11)
    ]
    period = timezone.localdate().strftime("%Y-%m")
    progress_report(
        task=task,
        reported_by=staff_a,
        period=period,
        value=Decimal(30),
        evidence_files=[SimpleUploadedFile("现场.png", photo_png()), SimpleUploadedFile("名单.pdf", b"%PDF-1.4 x")],
    )
    for other in others:
        progress_report(task=other, reported_by=staff_a, period=period, value=Decimal(5))
    reviews.extension_request(
        task=task, requested_by=staff_a, new_deadline=task.deadline + datetime.timedelta(days=30), reason="企业材料延迟"
    )
    page = screen
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#review-link .review-count") == "4"
    page.click("#review-link")
    page.wait_for_selector(".queue-item")
    first = page.locator(".queue-item").first
    assert "30家" in first.inner_text() and first.locator(".thumbs img").count() == 1
    # The photo itself shows (loaded from the site, not a broken image).
    # Polled from here: wait_for_function evaluates its text in the page, which the site's CSP forbids.
    for _ in range(100):
        if page.evaluate("document.querySelector('.thumbs img').naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('.thumbs img').naturalWidth") == 48
    look(page, "review-queue")
    items = page.locator(".queue-item")
    boxes = page.locator(".queue-item input[type=checkbox]")
    page.check("#check-all")  # 全选 ticks every item, and clears them again
    assert [boxes.nth(n).is_checked() for n in range(4)] == [True] * 4
    boxes.nth(2).uncheck()
    assert not page.is_checked("#check-all")  # no longer all of them
    boxes.nth(2).check()
    assert page.is_checked("#check-all")
    page.uncheck("#check-all")
    assert not any(boxes.nth(n).is_checked() for n in range(4))
    for index in (0, 1, 3):
        items.nth(index).locator("input[type=checkbox]").check()
    page.click("#bulk-form button")
    page.wait_for_selector(".messages")
    assert page.inner_text(".messages") == "已通过 3 项。"
    last = page.locator(".queue-item").first
    last.locator("summary").click()  # 退回…: the reason opens in place
    last.locator("textarea").fill("数据口径不一致，请核实")
    last.locator("button[value=return]").click()
    page.wait_for_selector(".messages")
    assert page.inner_text(".messages") == "已退回 1 项。"
    assert "暂无待审核事项" in page.inner_text("main") and page.locator(".review-count").count() == 0
    look(page, "queue-cleared")
    states = sorted(ProgressUpdate.objects.values_list("state", flat=True))
    assert states.count(ReviewState.APPROVED) + states.count(ReviewState.RETURNED) == 3


def test_the_sender_sees_the_reason_and_sends_again(screen, live_server, staff_a, manager, task):
    period = timezone.localdate().strftime("%Y-%m")
    wrong = progress_report(task=task, reported_by=staff_a, period=period, value=Decimal(500))
    reviews.progress_return(update=wrong, reviewer=manager, reason="数字多了一个零，请核实")
    page = screen
    sign_in(page, live_server, staff_a)
    page.goto(f"{live_server.url}/tasks/{task.pk}/")
    notice = page.locator(".notice.returned")
    assert "数字多了一个零，请核实" in notice.inner_text() and "500家" in notice.inner_text()
    look(page, "returned")
    notice.locator("text=重新填报").click()
    page.wait_for_selector("#report-form")
    assert page.input_value("#id_value") == "500" and page.input_value("#id_period") == period
    page.fill("#id_value", "50")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".messages")
    assert page.locator(".notice.returned").count() == 0 and "50家" in page.inner_text(".notice.waiting")
    look(page, "sent-again")
    assert task.updates.filter(state=ReviewState.SUBMITTED).get().value == Decimal(50)


@pytest.mark.parametrize("width", [360, 414])
def test_no_page_scrolls_sideways_on_the_narrowest_and_widest_phones(
    browser, live_server, staff_a, manager, task, width, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile

    progress_report(
        task=task,
        reported_by=staff_a,
        period=timezone.localdate().strftime("%Y-%m"),
        value=Decimal(30),
        narrative="新认定国家高新技术企业30家，其中信息技术领域12家、生物医药领域8家",
        evidence_files=[SimpleUploadedFile("高新技术企业认定名单（第一批）.pdf", b"%PDF-1.4 x")],
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.viewport_name = f"{width}"
    try:
        pages = {staff_a: {"/": "my-tasks", f"/tasks/{task.pk}/": "task"}, manager: {"/review/": "review"}}
        for user, paths in pages.items():
            sign_in(page, live_server, user)
            for path, name in paths.items():
                page.goto(live_server.url + path)
                look(page, f"narrow-{name}")
    finally:
        context.close()
