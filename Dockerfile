# The portal's image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings

# Pango and CJK fonts for PDFs with Chinese text; gettext for the catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that import cleanly; these values live only in this build step.
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py compilemessages -v0 --ignore=.venv \
 && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput -v0

# The media folders belong to the user the portal runs as; a named volume
# mounted on them starts with this ownership. Private photos are kept apart.
RUN useradd --create-home --uid 1000 portal \
 && mkdir -p /app/media /app/private-media \
 && chown portal /app/media /app/private-media \
 && chmod 0750 /app/private-media
USER portal

EXPOSE 8000
# A large import's preview (100,000 rows: about a minute) must finish within the
# worker timeout; gunicorn's default of 30 seconds would kill it.
ENV GUNICORN_TIMEOUT=300
CMD ["sh", "-c", "exec gunicorn portal.wsgi:application --bind 0.0.0.0:8000 --workers 4 --access-logfile - --timeout ${GUNICORN_TIMEOUT} --graceful-timeout 30"]
