#!/usr/bin/env bash
# Builds the real components natslet is tested against from the Go module proxy:
#   kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl   (./kubernetes)
#   etcd                                                                    (./etcd)
#   nats-server, crictl                                                     (go install @version)
# Binaries land in a cache outside the repo, keyed by everything that decides their content
# (versions.env, the go.mod/go.sum files, the Go version), so a warm machine or CI rebuilds nothing.
# Prints nothing but progress on stderr; writes the bin dir's path to <repo>/.natslet/testenv-bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache_root=${NATSLET_CACHE:-$HOME/.cache/natslet}
key=$(cat "$here/versions.env" "$here"/kubernetes/go.{mod,sum} "$here"/etcd/go.{mod,sum} "$0" |
  { cat; go env GOVERSION GOARCH; } | sha256sum | cut -c1-16)
bin="$cache_root/testenv/$key/bin"
log() { echo "testenv: $*" >&2; }

want=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl etcd nats-server crictl)
missing=()
for b in "${want[@]}"; do [[ -x "$bin/$b" ]] || missing+=("$b"); done

if ((${#missing[@]})); then
  log "building ${missing[*]} into $bin (cold: ~15-25 min on 2 cores)"
  tmp="$bin.tmp.$$"
  mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  # Version stamps so `kubectl version` and the API server report the real release.
  kv="v$KUBERNETES_VERSION"
  major=${KUBERNETES_VERSION%%.*}; minor=${KUBERNETES_VERSION#*.}; minor=${minor%%.*}
  kldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kldflags+=" -X $p.gitVersion=$kv -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    kldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$here/kubernetes" && go build -trimpath -ldflags "$kldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl)
  log "kubernetes $kv built"
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3)
  log "etcd v$ETCD_VERSION built"
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "github.com/nats-io/nats-server/v2@v$NATS_SERVER_VERSION"
  log "nats-server v$NATS_SERVER_VERSION built"
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/cri-tools/cmd/crictl@v$CRI_TOOLS_VERSION"
  log "crictl v$CRI_TOOLS_VERSION built"
  mkdir -p "$bin"
  mv "$tmp"/* "$bin/"
  # Keys unused for a week are dead weight (~500 MB each). Recent ones may serve another checkout.
  find "$cache_root/testenv" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -mtime +7 -exec rm -rf {} +
fi

touch "$bin" # marks the key as in use, for the pruning above
mkdir -p "$repo/.natslet"
echo "$bin" >"$repo/.natslet/testenv-bin"
log "binaries ready in $bin"
