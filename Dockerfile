# syntax=docker/dockerfile:1
#
# One image recipe for every Python process of the stack: the four subgraphs and the
# notifications worker. They are one project (one pyproject.toml, one dependency set, one
# kernel) that differs only in the module `python -m` runs, so four copies of a Dockerfile
# would only drift apart. docker-compose.yml builds this file once per service and picks the
# process with two build arguments:
#
#   MODULE  what `python -m` runs: subgraphs.<name> or workers.<name>
#   PORT    the port that process listens on (its settings' default), for EXPOSE and HEALTHCHECK
#
#   docker build --build-arg MODULE=subgraphs.orders --build-arg PORT=4002 -t commerce-orders .
#
# Only the runtime dependencies ([project].dependencies in pyproject.toml) are installed, never
# the `dev` extra: no SecantusDB (GPL-2.0), no aiosmtpd, no test or lint tools. tools/ and
# tests/ never enter the build context (.dockerignore). The container runs as a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- build: a virtualenv
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src

# The runtime dependencies first, read from pyproject.toml alone, so that a code change
# reuses this layer. Optional dependencies (the dev extra) are never read.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install --requirement requirements.txt

# Then the project itself (subgraphs, kernel, workers) as an installed package, without
# resolving dependencies again. README.md is the package's `readme`.
COPY README.md ./
COPY subgraphs ./subgraphs
COPY workers ./workers
RUN pip install --no-deps .

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir /app && chown app:app /app
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Everything above is shared by all services; only what follows depends on the arguments.
ARG MODULE
ARG PORT
RUN test -n "$MODULE" && test -n "$PORT" \
        || { echo "build with --build-arg MODULE=<module> --build-arg PORT=<port>" >&2; exit 1; } \
    && python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)" "$MODULE" \
        || { echo "no module $MODULE in the image" >&2; exit 1; }
# Not settings names (no settings group uses the SERVICE_ prefix): only the CMD and the
# HEALTHCHECK read them.
ENV SERVICE_MODULE=${MODULE} \
    SERVICE_PORT=${PORT}

WORKDIR /app
USER 10001:10001
EXPOSE ${PORT}

# Liveness: the process's own /health (slim images have no curl). urlopen raises, so the
# check fails, on a refused connection, a timeout or any non-2xx answer.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['SERVICE_PORT'] + '/health', timeout=2)"]

# exec: python is PID 1 and gets SIGTERM itself (uvicorn shuts down gracefully).
CMD exec python -m "$SERVICE_MODULE"
