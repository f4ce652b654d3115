# syntax=docker/dockerfile:1
# One image per natslet service, from this one file:
#   docker build --build-arg SERVICE=sync-loop -t natslet/sync-loop .
# docker-compose.yml builds every service this way. SERVICE is a directory in services/.
ARG SERVICE=sync-loop
ARG NODE_IMAGE=node:20-bookworm-slim

# --- The CRI api.proto is not committed (upstream's text): fetched from the k8s.io/cri-api
# --- Go module by the same script `make setup` runs, at the version tools/testenv pins.
FROM golang:1.26-bookworm AS cri-proto
WORKDIR /src
COPY tools/testenv/versions.env tools/testenv/versions.env
COPY proto/fetch-cri.sh proto/fetch-cri.sh
RUN proto/fetch-cri.sh

# --- Build: the whole workspace's dependencies (tsc needs the dev ones), then the service
# --- and the workspace packages it references, then a self-contained production bundle.
FROM ${NODE_IMAGE} AS build
# corepack installs the pnpm that package.json's "packageManager" pins.
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 PNPM_HOME=/pnpm
RUN corepack enable
WORKDIR /src
# Only the lockfile: this layer (the package downloads) is reused until dependencies change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=natslet-pnpm,target=/pnpm/store pnpm fetch --store-dir /pnpm/store
COPY . .
# Declared here, not earlier: every step after it is cached per SERVICE, the ones above are shared.
ARG SERVICE
# deploy/bundle.sh compiles the service (tsc -b) and writes its production bundle to /out;
# tests/deploy runs the same script and starts the bundle against a real nats-server.
RUN --mount=type=cache,id=natslet-pnpm,target=/pnpm/store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm/store \
 && deploy/bundle.sh "${SERVICE}" /out --offline --store-dir /pnpm/store

# --- Runtime: node and the bundle, nothing else.
FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=cri-proto /src/proto/k8s.io/cri-api/runtime/v1/api.proto /app/proto/api.proto
ARG SERVICE
# The node-api makes its self-signed serving certificate with the openssl command when no
# NATSLET_NODE_API_TLS_CERT/KEY is given; the slim image has the library, not the command.
RUN if [ "$SERVICE" = node-api ]; then \
      apt-get update && apt-get install -y --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*; \
    fi
ENV NODE_ENV=production \
    OTEL_SERVICE_NAME=${SERVICE} \
    # Fixed health port, on every interface: the healthcheck and Prometheus find it there.
    NATSLET_HEALTH_PORT=9100 \
    NATSLET_HEALTH_HOST=0.0.0.0 \
    # packages/cri loads the CRI proto at run time (only the runtime-adapter speaks CRI).
    NATSLET_CRI_PROTO=/app/proto/api.proto
COPY --from=build /out/ /app/
# Ready, not only alive: /readyz lists the checks (NATS, the API server, the CRI, ...).
HEALTHCHECK --interval=5s --timeout=4s --start-period=30s --retries=6 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.NATSLET_HEALTH_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Root by default: the runtime-adapter and volume-manager need it (CRI socket, mounts);
# docker-compose.yml runs the services that only talk to NATS and the API server as `node`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/main.js"]
