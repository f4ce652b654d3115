#!/usr/bin/env bash
# Installs what natslet needs on a fresh Debian machine, and nothing that is already there:
# Debian packages (containerd, runc, CNI plugins, busybox-static for test images, ...),
# pnpm (the version package.json pins), the workspace's node modules, the CRI proto,
# and the Go-built test binaries (tools/testenv/build.sh, cached outside the repo).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
log() { echo "setup: $*" >&2; }

# Debian packages natslet runs on (containerd + runc + CNI plugins), builds test images from
# (busybox-static) and tests with (iproute2, iptables, openssl for the test control plane's certs).
packages=(containerd runc containernetworking-plugins busybox-static iproute2 iptables openssl
  tar curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pnpm at the version package.json pins.
want_pnpm=$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$repo/package.json")
if [[ "$(pnpm --version 2>/dev/null)" != "$want_pnpm" ]]; then
  log "installing pnpm $want_pnpm"
  npm install -g --silent "pnpm@$want_pnpm"
fi
(cd "$repo" && pnpm install --frozen-lockfile --reporter=silent)

# The test binaries need Go >= 1.26 (Kubernetes 1.35 needs 1.25, distribution's registry v3.1.2
# 1.26); Debian bookworm's golang-go is 1.19, so the machine's own toolchain is required.
go_minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [[ -z "$go_minor" || "$go_minor" -lt 26 ]]; then
  log "need Go >= 1.26 on PATH (found: $(go env GOVERSION 2>/dev/null || echo none))"; exit 1
fi

"$repo/proto/fetch-cri.sh"
"$repo/tools/testenv/build.sh"
