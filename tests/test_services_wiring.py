"""CI's second pass must really run on PostgreSQL and Redis, not quietly on the defaults."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_the_second_pass_talks_to_postgresql_and_redis():
    import redis

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert cursor.fetchone()[0]
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    cache.set("wiring-probe", "ok", 30)
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert any(b"wiring-probe" in key for key in client.keys("*wiring-probe*"))
