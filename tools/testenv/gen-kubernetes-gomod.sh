#!/usr/bin/env bash
# Regenerates kubernetes/go.mod for KUBERNETES_VERSION in versions.env: requires
# k8s.io/kubernetes and pins every staging module it replaces locally (./staging/...)
# to the matching v0.<minor>.<patch> release, then lets `go mod tidy` write go.sum.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
kv="v$KUBERNETES_VERSION"
staging="v0.${KUBERNETES_VERSION#1.}"
upstream_mod=$(cd "$here/kubernetes" && go mod download -json "k8s.io/kubernetes@$kv" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
go_line=$(grep -m1 '^go ' "$upstream_mod")
{
  echo "// Builds the Kubernetes test binaries from the k8s.io/kubernetes module."
  echo "// k8s.io/kubernetes points its staging modules at ./staging; as a dependency they"
  echo "// must be pinned to the matching v0.X.Y releases, hence the replace block below."
  echo "// Regenerate with tools/testenv/gen-kubernetes-gomod.sh when KUBERNETES_VERSION changes."
  echo "module natslet.dev/tools/testenv/kubernetes"
  echo
  echo "$go_line"
  echo
  echo "require k8s.io/kubernetes $kv"
  echo
  echo "replace ("
  sed -n '/^replace (/,/^)/p' "$upstream_mod" | awk -v v="$staging" '/=>/ {print "\t" $1 " => " $1 " " v}'
  echo ")"
  echo
  echo "tool ("
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet; do
    echo "	k8s.io/kubernetes/cmd/$c"
  done
  echo ")"
} >"$here/kubernetes/go.mod"
(cd "$here/kubernetes" && go mod tidy)
