"""Uploads over the limit: refused from Content-Length unread, or cut off mid-stream with nothing spooled."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.client import FakePayload
from django.urls import reverse

from accounts.uploads import RequestSizeLimitMiddleware

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")


def run(request):
    seen = []

    def view(request):
        seen.append(request.FILES.get("file"))
        return HttpResponse("ok")

    return RequestSizeLimitMiddleware(view)(request), seen


def test_a_request_over_the_limit_is_refused_from_its_content_length_without_reading_it(client, staff_a, settings):
    client.force_login(staff_a)
    answer = client.generic(
        "POST",
        reverse("admin:plans_progressupdate_import"),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * MB),
        **{"wsgi.input": Unreadable()},
    )
    assert answer.status_code == 413
    assert "上传的文件过大" in answer.content.decode()


def test_an_upload_stops_the_moment_one_file_passes_the_limit_with_nothing_spooled(settings, tmp_path):
    settings.MAX_UPLOAD_FILE_BYTES = 1 * MB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bigger files would be spooled to tmp_path
    big = SimpleUploadedFile("big.xlsx", b"x" * (6 * MB))
    request = RequestFactory().post("/anything/", {"file": big})
    payload: FakePayload = request.META["wsgi.input"]
    answer, seen = run(request)
    assert answer.status_code == 413 and seen == []
    consumed = payload._FakePayload__content.tell()
    assert consumed < 2 * MB, consumed  # the limit and a chunk or two, never the 6 MB
    assert list(tmp_path.iterdir()) == []


def test_an_upload_within_the_limit_reaches_the_view(settings):
    settings.MAX_UPLOAD_FILE_BYTES = 1 * MB
    request = RequestFactory().post("/anything/", {"file": SimpleUploadedFile("ok.pdf", b"y" * 500_000)})
    answer, seen = run(request)
    assert answer.status_code == 200 and seen[0].size == 500_000
