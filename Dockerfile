# The registry's web and worker image: Debian 12 with its GDAL and Python 3.11, the same base `make run` uses.
FROM debian:12-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv gdal-bin libgdal32 libgeos-c1v5 libproj25 \
        postgresql-client ca-certificates gettext \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.lock /tmp/requirements.lock
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.lock

WORKDIR /app
COPY . /app
# Static files and translations are built at build time; the key here only lets settings load, it signs nothing.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v0 \
 && SECRET_KEY=collectstatic-only python manage.py compilemessages -v0 \
 && useradd --system --home-dir /app registry \
 && mkdir -p /app/media && chown registry /app/media

USER registry
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
