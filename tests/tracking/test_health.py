import pytest


@pytest.mark.django_db
def test_healthz_says_what_is_down_without_telling_why(client, settings):
    settings.CACHES = {  # a cache nobody listens on
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] is False and response.json()["database"] is True
    assert "redis" not in response.content.decode().lower() and "refused" not in response.content.decode().lower()


@pytest.mark.django_db
def test_healthz_needs_no_login_and_reports_both_parts(client):
    report = client.get("/healthz").json()
    assert report["database"] is True and report["cache"] is True
