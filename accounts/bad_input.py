"""Malformed request parameters answer 400, never 500.

A few of Django's and its packages' own code paths let a malformed value reach the database or a parser:
an id past 64-bit integers in an admin filter (SQLite: OverflowError; PostgreSQL: "bigint out of range"),
text where an admin autocomplete expects an id, an invalid crontab in django-celery-beat's form. These
are the client's error: the page says the request was invalid and the log keeps a warning.
"""

import logging
import re

from django.core.exceptions import ValidationError
from django.db import DataError
from django.shortcuts import render
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
LOOKUP_VALUE = re.compile(r"^Field '[^']+' expected a (number|UUID)")


def caused_by_input(error: Exception) -> bool:
    if isinstance(error, (OverflowError, DataError, ValidationError)):
        return True
    if isinstance(error, ValueError) and LOOKUP_VALUE.match(str(error)):
        return True
    return type(error).__name__ == "ParseException" and type(error).__module__ == "celery.schedules"


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not caused_by_input(exception):
            return None
        log.warning("malformed request %s %s: %s", request.method, request.path, type(exception).__name__)
        message = _(
            "The request holds a value that is not valid here (a number too large, or text where a number belongs)."
        )
        return render(request, "admin/refused.html", {"message": message, "title": _("Invalid request")}, status=400)
