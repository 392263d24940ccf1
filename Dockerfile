# syntax=docker/dockerfile:1

# followup: one static binary; `followup serve`, `followup worker` and
# `followup migrate` all run from this image (see docker-compose.yml).

# --- build ---------------------------------------------------------------
FROM golang:1.26 AS build
WORKDIR /src

# Module downloads first, so they stay cached while the source changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
# Pure Go (the embedded Temporal server uses a pure-Go SQLite), so the binary
# is static and runs on any base image.
ENV CGO_ENABLED=0 \
    GOFLAGS=-buildvcs=false
# What `followup --version` prints. .git stays out of the build context, so
# the version and commit come in as build arguments (docker-compose.yml
# passes FOLLOWUP_VERSION and FOLLOWUP_COMMIT):
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" --build-arg COMMIT="$(git rev-parse HEAD)" .
# The build date is the build's own unless BUILD_DATE gives one.
ARG VERSION=
ARG COMMIT=
ARG BUILD_DATE=
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath \
      -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${BUILD_DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}" \
      -o /out/followup ./cmd/followup

# --- runtime -------------------------------------------------------------
# Alpine rather than distroless: busybox wget serves the healthchecks. tzdata for the contacts' time zones, CA certificates for the
# channel APIs, Slack and Temporal Cloud.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates tzdata \
    && addgroup -S -g 10001 followup \
    && adduser -S -D -H -u 10001 -G followup followup \
    && mkdir -p /var/lib/followup \
    && chown followup:followup /var/lib/followup

COPY --from=build /out/followup /usr/local/bin/followup

# In a container the server must listen on every interface, not the
# loopback-only default.
ENV HTTP_ADDR=0.0.0.0:8080 \
    FOLLOWUP_DATA_DIR=/var/lib/followup
WORKDIR /var/lib/followup
USER 10001:10001
EXPOSE 8080

# Liveness of `followup serve`: /healthz answers while the process serves
# HTTP, whatever Postgres and Temporal do (a restart would not fix them;
# /readyz says whether they answer). Services of this image that do not
# serve HTTP (worker, migrate) override or disable it (docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]

ENTRYPOINT ["followup"]
CMD ["serve"]
