"""Large confirmed imports run on a worker; the page follows their progress."""

import datetime
import io
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from intake.jobs import sheet_import_job_run
from intake.models import SheetImportJob
from intake.resources import PreviewCacheStorage
from plans.models import Task
from tests.celery_worker import running_worker


def sheet(rows: int, department: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["序号", "重点任务", "具体目标", "责任单位", "完成时限"])
    for i in range(1, rows + 1):
        book.active.append([i, f"任务{i}", f"新认定企业{i}家以上", department, "2025-12-31"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def stored(data: bytes) -> str:
    storage = PreviewCacheStorage(read_mode="rb")
    storage.save(data)
    return storage.name


def job_of(plan, user, data: bytes | None = None, **fields) -> SheetImportJob:
    """A job of ``user`` for a sheet kept in the preview storage (none: an upload that has expired)."""
    storage_name = stored(data) if data is not None else fields.pop("storage_name", "gone")
    return SheetImportJob.objects.create(
        plan=plan, user=user, file_name="t.xlsx", storage_name=storage_name, options={}, **fields
    )


@pytest.mark.django_db
def test_a_job_runs_once_even_when_its_task_is_delivered_twice(plan, manager, department_a):
    job = job_of(plan, manager, sheet(30, department_a.name))
    assert sheet_import_job_run(job_id=str(job.pk)) == "done"
    assert sheet_import_job_run(job_id=str(job.pk)) == "done"
    job.refresh_from_db()
    assert (job.totals["new"], Task.objects.count(), Task.history.count()) == (30, 30, 30)


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_claimed_again(plan, manager, department_a):
    job = job_of(
        plan,
        manager,
        sheet(5, department_a.name),
        state="running",
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert sheet_import_job_run(job_id=str(job.pk)) == "done"
    fresh = job_of(plan, manager, state="running", started_at=timezone.now())
    assert sheet_import_job_run(job_id=str(fresh.pk)) == "running"  # another worker is on it


def impossible_date_sheet(department) -> bytes:
    """Three rows, the second due on 30 February."""
    book = openpyxl.load_workbook(io.BytesIO(sheet(3, department.name)))
    book.active["E3"] = "2025-02-30"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_an_expired_upload_fails_the_job_with_a_message(plan, manager):
    job = job_of(plan, manager)
    assert sheet_import_job_run(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "upload it again" in job.message and not Task.objects.exists()


@pytest.mark.django_db
def test_a_job_message_is_in_chinese_on_a_worker_without_a_language(plan, manager, department_a):
    gone, bad = job_of(plan, manager), job_of(plan, manager, impossible_date_sheet(department_a))
    translation.deactivate()  # as on a Celery worker: no language active, so settings.LANGUAGE_CODE
    sheet_import_job_run(job_id=str(gone.pk))
    sheet_import_job_run(job_id=str(bad.pk))
    gone.refresh_from_db()
    bad.refresh_from_db()
    assert gone.message == "上传的文件已不再保留（预览结果 2 小时后失效）：请重新上传。"
    assert bad.message.startswith("第 3 行：完成时限：")


@pytest.mark.django_db
def test_a_job_with_a_bad_row_writes_nothing_and_says_which_row(plan, manager, department_a):
    job = job_of(plan, manager, impossible_date_sheet(department_a))
    assert sheet_import_job_run(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "row 3" in job.message and not Task.objects.exists()


@pytest.mark.django_db
def test_only_its_owner_or_a_manager_sees_a_job(client, plan, manager, staff_a, staff_b):
    job = job_of(plan, staff_a)
    url = reverse("admin:plans_task_import_job_status", kwargs={"job_id": job.pk})
    for user, status in ((staff_a, 200), (manager, 200), (staff_b, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status


def wait_for(client, job) -> dict:
    status_url = reverse("admin:plans_task_import_job_status", kwargs={"job_id": job.pk})
    deadline = time.monotonic() + 90
    while client.get(status_url).json()["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.5)
    return client.get(status_url).json()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_previewed_then_imported_on_a_real_worker_and_the_page_follows_both(
    client, settings, plan, manager, department_a
):
    settings.SHEET_ASYNC_BYTES = 0  # every file counts as large here
    client.force_login(manager)
    with running_worker(queue="celery"):
        upload = client.post(
            reverse("admin:plans_task_import"),
            {
                "plan": plan.pk,
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile("big.xlsx", sheet(1500, department_a.name)),
            },
        )
        assert upload.status_code == 302 and "/import/job/" in upload["Location"]
        check = SheetImportJob.objects.get()
        assert check.dry_run
        status = wait_for(client, check)
        assert status["state"] == "done", status
        assert (status["totals"]["new"], status["done"], status["total"]) == (1500, 1500, 1500)
        assert not Task.objects.exists()  # a preview writes nothing
        preview = client.get(upload["Location"])
        assert "confirm_form" in preview.context
        fields = {field.html_name: field.value() for field in preview.context["confirm_form"]}
        response = client.post(reverse("admin:plans_task_process_import"), fields)
        assert response.status_code == 302 and "/import/job/" in response["Location"]
        job = SheetImportJob.objects.get(dry_run=False)
        status = wait_for(client, job)
    assert status["state"] == "done", status
    assert (status["totals"]["new"], status["done"], status["total"]) == (1500, 1500, 1500)
    assert Task.objects.filter(plan=plan).count() == 1500
    page = client.get(response["Location"]).content.decode()
    assert "1500" in page


@pytest.mark.django_db
def test_the_preview_of_a_large_file_with_a_bad_row_names_it_and_offers_no_confirm(
    client, settings, plan, manager, department_a
):
    settings.SHEET_ASYNC_BYTES = 0
    data = sheet(3, department_a.name)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["E3"] = "2025-02-30"
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(manager)
    upload = client.post(
        reverse("admin:plans_task_import"),
        {
            "plan": plan.pk,
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("t.xlsx", buffer.getvalue()),
        },
    )
    job = SheetImportJob.objects.get()
    assert sheet_import_job_run(job_id=str(job.pk)) == "done"  # what the worker runs
    page = client.get(upload["Location"])
    assert "confirm_form" not in page.context
    text = page.content.decode()
    assert "完成时限" in text and "2025-02-30" in text and "<td>3</td>" in text
    assert not Task.objects.exists()
