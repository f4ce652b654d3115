#!/usr/bin/env bash
# `make down`: stops what `make up` started, and waits until everything is gone.
set -euo pipefail
cd "$(dirname "$0")/.."
pidfile=.natslet/stack.pid
if [[ ! -f $pidfile ]] || ! kill -0 "$(cat $pidfile)" 2>/dev/null; then
  echo "natslet is not up"; rm -f $pidfile; exit 0
fi
pid=$(cat $pidfile)
kill -INT "$pid"
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || { rm -f $pidfile; echo "natslet is down"; exit 0; }
  sleep 0.5
done
echo "natslet (pid $pid) did not stop in 60 s; killing it" >&2
kill -KILL "$pid"; rm -f $pidfile
