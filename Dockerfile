# Connectivity: one image for web (gunicorn), migrate, Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=connectivity.settings \
    VAR_DIR=/app/var

# An unprivileged user owns only VAR_DIR (static files, SQLite fallback, generated key); the code stays root-owned.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. Every package is pinned by hash.
COPY requirements.lock ./
RUN pip install --require-hashes --no-cache-dir -r requirements.lock

# The project, path by path: there is no .dockerignore, and `COPY . .` would bring in .venv/, .git/ and var/
# (including a local var/secret_key).
COPY manage.py pyproject.toml ./
COPY connectivity ./connectivity
COPY organization ./organization
COPY accounts ./accounts
COPY feedback ./feedback
COPY actionplans ./actionplans
COPY dashboards ./dashboards
COPY templates ./templates
COPY static ./static

# Static files are collected into the image (WhiteNoise serves them). Settings refuse to load without SECRET_KEY
# when DEBUG is off, so this step alone gets a throwaway value; it is not kept in the image.
RUN mkdir -p "$VAR_DIR" \
    && SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput \
    && chown -R app:app "$VAR_DIR"

USER app

EXPOSE 8000

CMD ["gunicorn", "connectivity.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
