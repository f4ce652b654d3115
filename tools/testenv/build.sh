#!/usr/bin/env bash
# Builds the real components natslet is tested against from the Go module proxy:
#   kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl   (./kubernetes)
#   etcd                                                                    (./etcd)
#   jaeger (all-in-one: OTLP in, query API)                                 (./jaeger, a go tool)
#   nats-server, crictl, registry (distribution)                            (go install @version)
# Each group lands in its own cache dir outside the repo, keyed by what decides its content (its
# versions, go.mod/go.sum, the Go version), so adding a component never rebuilds the others and
# a warm machine or CI rebuilds nothing. One bin dir of symlinks joins the groups.
# Prints nothing but progress on stderr; writes the bin dir's path to <repo>/.natslet/testenv-bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache_root=${NATSLET_CACHE:-$HOME/.cache/natslet}
log() { echo "testenv: $*" >&2; }
goid=$(go env GOVERSION GOARCH)

# group_dir <name> <key inputs...>: the group's cache dir (its key hashes the inputs + Go).
group_dir() {
  local name=$1
  shift
  local key
  key=$({ printf '%s\n' "$@"; echo "$goid"; } | sha256sum | cut -c1-16)
  echo "$cache_root/testenv/$name-$key"
}

# build_group <dir> <builder function> <binaries...>: runs the builder into a temp dir unless
# every binary is already there; the dir appears complete or not at all.
build_group() {
  local dir=$1 builder=$2
  shift 2
  local b missing=0
  for b in "$@"; do [[ -x "$dir/bin/$b" ]] || missing=1; done
  if ((missing)); then
    log "building $* into $dir"
    local tmp="$dir.tmp.$$"
    rm -rf "$tmp" && mkdir -p "$tmp/bin"
    "$builder" "$tmp/bin"
    rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  touch "$dir" # marks the group as in use, for the pruning below
  for b in "$@"; do ln -sfn "$dir/bin/$b" "$bin/$b"; done
}

build_kubernetes() {
  # Version stamps so `kubectl version` and the API server report the real release.
  local kv="v$KUBERNETES_VERSION" major=${KUBERNETES_VERSION%%.*} minor=${KUBERNETES_VERSION#*.}
  minor=${minor%%.*}
  local p kldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kldflags+=" -X $p.gitVersion=$kv -X $p.gitMajor=$major -X $p.gitMinor=$minor"
    kldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$here/kubernetes" && go build -trimpath -ldflags "$kldflags" -o "$1/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl)
}
build_etcd() { (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$1/etcd" go.etcd.io/etcd/server/v3); }
build_jaeger() {
  (cd "$here/jaeger" && go build -trimpath -ldflags "-s -w" -o "$1/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
}
build_tools() {
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "github.com/nats-io/nats-server/v2@v$NATS_SERVER_VERSION"
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/cri-tools/cmd/crictl@v$CRI_TOOLS_VERSION"
  GOBIN="$1" go install -trimpath -ldflags "-s -w" \
    "github.com/distribution/distribution/v3/cmd/registry@v$DISTRIBUTION_VERSION"
}

k8s_dir=$(group_dir kubernetes "KUBERNETES_VERSION=$KUBERNETES_VERSION" "$(cat "$here"/kubernetes/go.{mod,sum})" \
  "$(declare -f build_kubernetes)")
etcd_dir=$(group_dir etcd "ETCD_VERSION=$ETCD_VERSION" "$(cat "$here"/etcd/go.{mod,sum})" "$(declare -f build_etcd)")
jaeger_dir=$(group_dir jaeger "$(cat "$here"/jaeger/go.{mod,sum})" "$(declare -f build_jaeger)")
tools_dir=$(group_dir tools "NATS_SERVER_VERSION=$NATS_SERVER_VERSION" "CRI_TOOLS_VERSION=$CRI_TOOLS_VERSION" \
  "DISTRIBUTION_VERSION=$DISTRIBUTION_VERSION" "$(declare -f build_tools)")
bin="$cache_root/testenv/bin-$(basename "$k8s_dir")-$(basename "$etcd_dir")-$(basename "$jaeger_dir")-$(basename "$tools_dir")"
bin="$cache_root/testenv/bin-$(echo "$bin" | sha256sum | cut -c1-16)"
mkdir -p "$bin"

build_group "$k8s_dir" build_kubernetes kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl
build_group "$etcd_dir" build_etcd etcd
build_group "$tools_dir" build_tools nats-server crictl registry
build_group "$jaeger_dir" build_jaeger jaeger
touch "$bin"

# Groups unused for a week are dead weight (up to ~500 MB each). Recent ones may serve another checkout.
find "$cache_root/testenv" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} +

mkdir -p "$repo/.natslet"
echo "$bin" >"$repo/.natslet/testenv-bin"
log "binaries ready in $bin"
