"""A 300 MiB multipart upload through the request-size middleware, with and without LimitedUploadHandler:
how much of the body is read and how much lands on disk.

    PYTHONPATH=. .venv/bin/python bench/upload_limit_bench.py
"""

import io
import os
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http import HttpResponse  # noqa: E402

from accounts.uploads import RequestSizeLimitMiddleware  # noqa: E402

MIB = 1024 * 1024
SIZE = 300 * MIB
BOUNDARY = "BoUnDaRy"
HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


class Body(io.RawIOBase):
    """The request body, made up as it is read, so that 300 MiB never sit in memory."""

    def __init__(self):
        self.pos = 0
        self.total = len(HEAD) + SIZE + len(TAIL)

    def readable(self):
        return True

    def read(self, n=-1):
        n = self.total - self.pos if n is None or n < 0 else n
        out = bytearray()
        while n > 0 and self.pos < self.total:
            if self.pos < len(HEAD):
                chunk = HEAD[self.pos : self.pos + n]
            elif self.pos < len(HEAD) + SIZE:
                chunk = b"x" * min(n, len(HEAD) + SIZE - self.pos)
            else:
                offset = self.pos - len(HEAD) - SIZE
                chunk = TAIL[offset : offset + n]
            out += chunk
            self.pos += len(chunk)
            n -= len(chunk)
        return bytes(out)


def on_disk(folder: str) -> int:
    return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder))


def measure(*, with_handler: bool) -> None:
    folder = tempfile.mkdtemp()
    settings.FILE_UPLOAD_TEMP_DIR = folder
    settings.MAX_REQUEST_BYTES = 10 * 1024 * MIB  # past the Content-Length check: the handler alone decides
    settings.FILE_UPLOAD_HANDLERS = [
        *(["accounts.uploads.LimitedUploadHandler"] if with_handler else []),
        "django.core.files.uploadhandler.MemoryFileUploadHandler",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    body = Body()
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/upload/",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.total),
            "wsgi.input": body,
            "SERVER_NAME": "bench",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
    )
    spooled = []

    def view(request):
        spooled.append(on_disk(folder))
        return HttpResponse()

    start = time.perf_counter()
    response = RequestSizeLimitMiddleware(view)(request)
    seconds = time.perf_counter() - start
    print(  # noqa: T201
        f"handler={with_handler}: HTTP {response.status_code}, body read {body.pos / MIB:.1f} MiB, "
        f"on disk when the view ran {(spooled or [0])[0] / MIB:.1f} MiB, after {on_disk(folder) / MIB:.1f} MiB, "
        f"{seconds:.2f} s"
    )


if __name__ == "__main__":
    measure(with_handler=False)
    measure(with_handler=True)
