#!/usr/bin/env bash
# Retrieves the official CRI runtime.v1 api.proto from the k8s.io/cri-api Go module
# (version = v0.<minor>.<patch> of KUBERNETES_VERSION in tools/testenv/versions.env)
# into proto/k8s.io/cri-api/runtime/v1/api.proto. We do not commit upstream's text;
# packages/cri loads this file at run time with @grpc/proto-loader.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tools/testenv/versions.env
. "$here/../tools/testenv/versions.env"
version="v0.${KUBERNETES_VERSION#1.}"
dest="$here/k8s.io/cri-api/runtime/v1/api.proto"
stamp="$dest.version"
if [[ -f "$dest" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then exit 0; fi
dir=$(cd "$here" && GOFLAGS=-mod=mod go mod download -json "k8s.io/cri-api@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -n "$dir" && -f "$dir/pkg/apis/runtime/v1/api.proto" ]] || {
  echo "fetch-cri: could not download k8s.io/cri-api@$version" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
install -m 0644 "$dir/pkg/apis/runtime/v1/api.proto" "$dest"
echo "$version" >"$stamp"
echo "fetch-cri: runtime.v1 api.proto from k8s.io/cri-api@$version"
