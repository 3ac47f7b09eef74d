# Production image for the web server and the Celery worker (same image, different command).
# Unverified here: no Docker engine runs on the development machines. See README.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg libsndfile1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY timbre timbre
COPY audio audio
COPY library library
COPY classifier classifier
COPY recommender recommender
COPY demo demo
COPY web web
COPY api api
COPY subsonic subsonic
RUN pip install .
COPY . .

# Pretrained musicnn weights are fetched from PyPI and converted at build time, never at run time.
ENV TIMBRE_DATA_DIR=/opt/timbre
RUN python -m classifier.weights \
    && DEBUG=1 STATIC_ROOT=/app/staticfiles STATIC_MANIFEST=1 python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 timbre && mkdir -p /data && chown timbre /data
USER timbre
EXPOSE 8000
CMD ["gunicorn", "timbre.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
