#!/usr/bin/env bash
# Builds one service and writes a self-contained production bundle of it to OUT:
# dist/main.js, its package.json and node_modules with only the production dependencies
# (natslet's own packages copied in, with their dist/). The Dockerfile runs this script, and
# tests/deploy runs it too and starts the result, so what the image gets is what was tested.
#   deploy/bundle.sh SERVICE OUT [extra `pnpm deploy` args, e.g. --offline]
# NATSLET_BUNDLE_SKIP_BUILD=1 skips `tsc -b` (tests/deploy: `make test` has just built everything).
set -euo pipefail
service=${1:?usage: deploy/bundle.sh SERVICE OUT [pnpm deploy args]}
out=${2:?usage: deploy/bundle.sh SERVICE OUT [pnpm deploy args]}
shift 2
cd "$(dirname "$0")/.."
[[ -f "services/$service/package.json" ]] || { echo "bundle: no services/$service" >&2; exit 2; }
[[ "${NATSLET_BUNDLE_SKIP_BUILD:-}" == 1 ]] || pnpm exec tsc -b "services/$service"
# --legacy: pnpm 10 deploys only workspaces with inject-workspace-packages=true; ours links its
# packages, and --legacy copies them (with their dist/) into OUT/node_modules instead.
pnpm --filter "@natslet/$service" deploy --legacy --prod "$@" "$out"
# What only building or testing needs: sources, tests, type declarations, source maps.
rm -rf "$out/src" "$out/tsconfig.json" "$out"/*.tsbuildinfo
find "$out/dist" "$out"/node_modules/.pnpm/@natslet+*/node_modules/@natslet/* \
  \( -name '*.test.js' -o -name '*.itest.js' -o -name '*.d.ts' -o -name '*.map' \
     -o -name '*.tsbuildinfo' -o -name 'tsconfig.json' -o \( -type d -name src \) \) \
  -prune -exec rm -rf {} +
