"""Request size limits that hold before anything is written to disk.

Django checks an evidence file's or a sheet's size only after the whole upload is parsed, and its
temporary-file handler spools every byte to /tmp first: a 300 MB upload cost 295 MB of disk before the
20 MiB check refused it. Here a request whose Content-Length passes MAX_REQUEST_BYTES is refused before
its body is read, and ``LimitedUploadHandler`` (first in FILE_UPLOAD_HANDLERS) stops an upload the
moment one file passes MAX_UPLOAD_FILE_BYTES or the body passes MAX_REQUEST_BYTES, before that chunk
reaches the handlers that write it.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.utils.translation import gettext as _


class UploadTooLarge(RequestDataTooBig):
    pass


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.file_bytes = 0

    def new_file(self, *args, **kwargs):
        self.file_bytes = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        self.file_bytes += len(raw_data)
        if self.file_bytes > settings.MAX_UPLOAD_FILE_BYTES or self.total > settings.MAX_REQUEST_BYTES:
            raise UploadTooLarge("upload over the limit")
        return raw_data  # on to the next handler, which keeps it

    def file_complete(self, file_size):
        return None


def refusal(request):
    megabytes = settings.MAX_UPLOAD_FILE_BYTES // (1024 * 1024)
    message = _("The upload is too large: a file may be at most %(mb)d MB.") % {"mb": megabytes}
    return render(request, "admin/refused.html", {"message": message, "title": _("Upload refused")}, status=413)


class RequestSizeLimitMiddleware:
    """Refuse by Content-Length; parse a multipart body here, so that an upload stopped by the handler
    becomes a 413 page rather than an error in whichever middleware read the form first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return refusal(request)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                request.POST  # noqa: B018 (parses the body through the upload handlers)
            except UploadTooLarge:
                _discard_partial_files(request)
                return refusal(request)
        return self.get_response(request)


def _discard_partial_files(request) -> None:
    """Close (and so delete) the temporary file a handler had started when the upload was stopped."""
    for handler in getattr(request, "_upload_handlers", None) or []:
        partial = getattr(handler, "file", None)
        if partial is not None:
            partial.close()
