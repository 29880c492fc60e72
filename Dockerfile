# Sqeeze production image. One image runs every app service in
# docker-compose.yml: gunicorn (the default command), the Celery worker and
# beat, and the one-shot `manage.py migrate`.
FROM python:3.11-slim

# PYTHONPATH: the checkout in /app must win over the copy `pip install .` puts
# in site-packages, because settings derive BASE_DIR (templates/, static/,
# locale/) from where the sqeeze package is imported.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app

# A fixed uid/gid so volume ownership stays stable across rebuilds.
RUN groupadd --system --gid 10001 sqeeze \
 && useradd --system --uid 10001 --gid sqeeze --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin sqeeze

# PostgreSQL's client tools (pg_dump, pg_restore, psql) for `python -m
# sqeeze.backup`; bookworm's are release 15, as the compose database.
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies get their own layer, read from pyproject.toml, so a code change
# does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The project itself, without the dev extras; setuptools leaves its build
# folders in the tree, which the image does not need.
COPY . .
RUN pip install . \
 && rm -rf build *.egg-info

# Static files are built into the image. The values are build-only dummies:
# setting DATABASE_URL and REDIS_URL keeps settings from starting the embedded
# development servers, and collectstatic connects to neither.
RUN SECRET_KEY=build-only-dummy-not-a-secret \
    DATABASE_URL=postgres://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    DEBUG=false \
    python manage.py collectstatic --noinput

# Uploads land in /app/media (a volume in docker-compose.yml). A fresh named
# volume copies this directory's ownership, so the app user can write to it;
# the code itself stays owned by root and read-only to the app.
RUN mkdir -p /app/media && chown sqeeze:sqeeze /app/media

USER sqeeze

EXPOSE 8000

# No HEALTHCHECK here: the worker and beat run this image too and serve no
# HTTP; docker-compose.yml gives web its healthcheck.
# gunicorn reads WEB_CONCURRENCY itself as its worker count.
ENV WEB_CONCURRENCY=3
CMD ["gunicorn", "sqeeze.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
