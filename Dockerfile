# syntax=docker/dockerfile:1.7
# Marquee production image: the API (`marquee serve`), the worker (`marquee worker run`) and
# the migrations (`marquee db migrate`) are the same image with another command.

# --- web app: built once, served by the API at / (or copied to a CDN) ---------------------
FROM node:22-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- Python dependencies into a virtualenv that the runtime stage copies ------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/marquee
WORKDIR /src
COPY pyproject.toml README.md ./
COPY canonical/ canonical/
COPY booking/ booking/
COPY store/ store/
COPY adapters/ adapters/
COPY connectors/ connectors/
COPY api/ api/
COPY payments/ payments/
COPY notifications/ notifications/
COPY analytics/ analytics/
COPY marquee/ marquee/
COPY simulators/ simulators/
COPY dags/ dags/
RUN /opt/marquee/bin/pip install . uvloop

# --- runtime: slim, no compilers, no node, a user of its own ------------------------------
FROM python:3.11-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 marquee \
 && useradd --system --uid 10001 --gid marquee --home-dir /app --shell /usr/sbin/nologin marquee
COPY --from=build /opt/marquee /opt/marquee
WORKDIR /app
COPY mappings/ mappings/
COPY --from=web /web/dist/ web/dist/
ENV PATH=/opt/marquee/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MARQUEE_ENV=production \
    MARQUEE_WEB_DIST=/app/web/dist \
    MAPPINGS_DIR=/app/mappings \
    VAR_DIR=/tmp/marquee \
    PROMETHEUS_MULTIPROC_DIR=/tmp/marquee/metrics
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status == 200 else 1)"]
# Secrets (JWT_SECRET, ENCRYPTION_KEY, DATABASE_URL, STRIPE_*) come from the environment.
CMD ["marquee", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]
