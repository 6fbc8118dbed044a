# Production image: one image, two roles.
#   docker run -e DATABASE_URL=... -e REDIS_URL=... -e JWT_SECRET=... -e JWT_REFRESH_SECRET=... IMAGE            (API)
#   docker run ... IMAGE whaticket worker                                                                      (jobs + WhatsApp sessions)
#   docker run ... IMAGE whaticket db upgrade                                                                  (schema, before both)
# docker-compose.yaml runs all three with PostgreSQL and Redis. Without DATABASE_URL it runs the embedded default
# (SQLite in /data).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
# The wheel carries the Alembic revisions (pyproject's force-include), so the build needs them.
COPY migrations ./migrations
# The application and every dependency at the versions of the lock.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim
# neonize imports python-magic, which needs libmagic.
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 whaticket && mkdir /data && chown whaticket /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
# The Alembic revisions ship inside the wheel (whaticket_adapters/sql/migrations).
WORKDIR /app
USER whaticket
# Logs reach `docker logs` at once (no buffering); no .pyc files written beside the installed package.
ENV DATA_DIR=/data APP_ENV=production PORT=3001 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
EXPOSE 3001
# Liveness of the API role (the worker serves no HTTP: compose disables the check for it). Readiness, which also
# wants the database, the schema, Redis and a live worker, is GET /health/ready.
HEALTHCHECK --interval=15s --timeout=3s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '3001'), timeout=2)"]
CMD ["whaticket", "serve"]
