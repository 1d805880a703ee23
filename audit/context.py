"""The request being served, so that a service deep below a view records who and from where."""

import contextvars

from .client_ip import client_ip

_current = contextvars.ContextVar("audit_request", default=None)


def current_request():
    return _current.get()


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def request_ip(request) -> str | None:
    return (client_ip(request) or None) if request is not None else None
