"""The address a request came from, for login throttling and the audit log.

Behind TRUSTED_PROXY_COUNT reverse proxies (each appending to X-Forwarded-For), the client is that many
entries from the right; with none, the socket's address. A client cannot forge its way past this: it
controls only entries to the left of those the proxies append.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote
