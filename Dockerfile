# Production image of the API. It expects MONGODB_URI and the secrets that APP_ENV=prod requires
# (the service refuses to start without them and names what is missing). It carries the reference
# web app's build too, served at / only with SERVE_WEB_APP=true.

# The web app: typed operations generated from schema.graphql (web/codegen.ts reads
# ../schema.graphql), then Vite's static build. Only web/dist leaves this stage.
FROM node:22-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY schema.graphql /src/schema.graphql
COPY web ./
RUN npm run build

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY api ./api
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 app
COPY --from=build /install /usr/local
COPY policies /app/policies
COPY --from=web /src/web/dist /app/web/dist
WORKDIR /app
RUN mkdir -p /app/var && chown app:app /app/var
USER app
# One worker per CPU the container may use; a platform's own WEB_CONCURRENCY overrides it.
ENV APP_ENV=prod HOST=0.0.0.0 PORT=8000 PYTHONUNBUFFERED=1 WEB_CONCURRENCY=auto \
    WEB_APP_DIR=/app/web/dist
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)" || exit 1
CMD ["python", "-m", "api", "serve"]
