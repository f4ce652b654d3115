#!/usr/bin/env bash
# `make up`: `make run` in the background. Returns once everything is ready (.natslet/env written).
set -euo pipefail
cd "$(dirname "$0")/.."
state=.natslet
if [[ -f $state/stack.pid ]] && kill -0 "$(cat $state/stack.pid)" 2>/dev/null; then
  echo "natslet is already up (pid $(cat $state/stack.pid)); make down first" >&2; exit 1
fi
mkdir -p $state
rm -f $state/env
nohup node packages/testkit/dist/cli/stack.js run >$state/stack.log 2>&1 &
echo $! >$state/stack.pid
for _ in $(seq 1 600); do
  if [[ -f $state/env ]]; then
    sed -n '/ready/,$p' $state/stack.log
    echo "natslet is up (pid $(cat $state/stack.pid)); log: $state/stack.log; stop with: make down"
    exit 0
  fi
  if ! kill -0 "$(cat $state/stack.pid)" 2>/dev/null; then
    cat $state/stack.log >&2; echo "natslet failed to start" >&2; rm -f $state/stack.pid; exit 1
  fi
  sleep 0.5
done
echo "natslet did not become ready in 5 minutes; see $state/stack.log" >&2
exit 1
