# 科技局年度工作计划督办系统 — production image (gunicorn; the same image runs the Celery worker and beat).
#   docker build -t kejiju-tracker .        (or: docker compose up -d --build)
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var

# fonts-wqy-microhei: Chinese text in images and documents the server draws.
# gettext: compilemessages at build time. No libpq: psycopg[binary] brings its own.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei gettext \
    && rm -rf /var/lib/apt/lists/*

# pg_dump and pg_restore of the compose file's PostgreSQL (postgres:16), from PostgreSQL's own apt
# repository: Debian's client is older, and pg_dump refuses a newer server. Used by manage.py backup.
ARG PG_MAJOR=16
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl; \
    install -d /usr/share/postgresql-common/pgdg; \
    curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc; \
    . /etc/os-release; \
    echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}"; \
    rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Everything is compiled here, nothing at run time: translations, bytecode, static files.
# VAR_DIR points at /tmp during the build so that the settings' folders are not created root-owned in /app/var.
RUN set -eux; \
    export SECRET_KEY=build ALLOWED_HOSTS=x DATABASE_URL=sqlite:////tmp/build.sqlite3 VAR_DIR=/tmp/build-var; \
    if find . -name '*.po' -not -path './var/*' | grep -q .; then \
        python manage.py compilemessages --ignore=var --ignore=staticfiles; \
    fi; \
    python manage.py collectstatic --noinput; \
    python -m compileall -q /app; \
    rm -rf /tmp/build.sqlite3* /tmp/build-var

# Runs as an unprivileged user; /app/var (evidence uploads in /app/var/media) is the only writable place.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/var/media /app/var/backups \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
