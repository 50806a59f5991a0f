# syntax=docker/dockerfile:1
#
# One image recipe for every Python process of the stack: the five subgraphs and the
# notifications worker. Each bounded context is a workspace member (its own pyproject.toml,
# its own dependencies) pinned by the one uv.lock; an image holds the kernel and ONE context:
# its code and the packages its member needs, nothing of another context. docker-compose.yml
# builds this file once per service with three build arguments:
#
#   CONTEXT  the context whose code the image holds: users, catalog, orders, payments or
#            notifications (whose image also holds its worker, workers/)
#   MODULE   what `python -m` runs: subgraphs.<context> or workers.<name>
#   PORT     the port that process listens on (its settings' default), for EXPOSE and HEALTHCHECK
#
#   docker build --build-arg CONTEXT=orders --build-arg MODULE=subgraphs.orders \
#       --build-arg PORT=4002 -t commerce-orders .
#
# Only the runtime dependencies are installed (`uv sync --no-dev`, exactly as uv.lock pins
# them), never the dev group: no SecantusDB (GPL-2.0), no aiosmtpd, no test or lint tools.
# tools/ and tests/ never enter the build context (.dockerignore); tests/deploy/test_dockerfile.py
# lists what each context's build copies. The container runs as a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim
ARG CONTEXT

# ---------------------------------------------------------------- build: the lock and the kernel
FROM ${PYTHON_IMAGE} AS build

# uv from PyPI, the version the Makefile and uv.lock pin.
ARG UV_VERSION=0.13.8
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install uv==${UV_VERSION}
WORKDIR /src

# The workspace root (its member list, no code) and the lock; then the kernel, in every image.
COPY pyproject.toml uv.lock ./
COPY subgraphs/kernel ./subgraphs/kernel

# ---------------------------------------------------------------- one stage a context
# Each copies its own member(s) and names the workspace packages to install. A new context
# adds its stage here (docs/adding-a-context.md).
FROM build AS context-users
ENV MEMBERS="commerce-users"
COPY subgraphs/users ./subgraphs/users

FROM build AS context-catalog
ENV MEMBERS="commerce-catalog"
COPY subgraphs/catalog ./subgraphs/catalog

FROM build AS context-orders
ENV MEMBERS="commerce-orders"
COPY subgraphs/orders ./subgraphs/orders

FROM build AS context-payments
ENV MEMBERS="commerce-payments"
COPY subgraphs/payments ./subgraphs/payments

FROM build AS context-notifications
ENV MEMBERS="commerce-notifications commerce-notifications-worker"
COPY subgraphs/notifications ./subgraphs/notifications
COPY workers ./workers

# ---------------------------------------------------------------- install: a virtualenv
FROM context-${CONTEXT} AS install

# The members and what they need, as uv.lock pins it. --frozen: the lock is used as it is
# (`make python-deps` checks it is current with --locked, which needs every member's
# pyproject.toml: this build has only the kernel's and its context's). Not editable: the
# code is copied into the venv, so /src stays behind in this stage.
RUN uv sync --frozen --no-dev --no-editable --compile-bytecode --python "$(command -v python)" \
        $(for member in $MEMBERS; do printf -- '--package %s ' "$member"; done)

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir /app && chown app:app /app
COPY --from=install /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Everything above is shared by the services of one context; only what follows depends on
# the process. The module must be in the image: another context's is not.
ARG MODULE
ARG PORT
RUN test -n "$MODULE" && test -n "$PORT" \
        || { echo "build with --build-arg CONTEXT=<context> --build-arg MODULE=<module> --build-arg PORT=<port>" >&2; exit 1; } \
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
