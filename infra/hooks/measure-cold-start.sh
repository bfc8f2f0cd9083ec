#!/usr/bin/env bash
# Not an azd hook: measures the package package-api.sh builds, started the way the Functions host starts
# it (FUNCTIONS_CUSTOMHANDLER_PORT set, readiness pings on GET /). Prints, per run and as medians, the
# milliseconds from process start to the first 200 on GET / and to the first answer of GET /api/health.
# The platform's own cold start (instance allocation, package mount, host start) comes on top.
#
# usage: infra/hooks/measure-cold-start.sh <publish-dir> [runs]
set -euo pipefail
dir="${1:?usage: measure-cold-start.sh <publish-dir> [runs]}"
runs="${2:-5}"
exe=$(sed -n 's/.*"defaultExecutablePath"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/host.json")
command -v curl >/dev/null || { echo "measure-cold-start: curl is required" >&2; exit 1; }

ready_all=(); health_all=()
for ((run = 1; run <= runs; run++)); do
  port=$((20000 + RANDOM % 20000))
  store=$(mktemp -d)
  start=$(date +%s%N)
  (cd "$dir" && FUNCTIONS_CUSTOMHANDLER_PORT=$port FraudStorage=$store Fraud__BootstrapTrainingRows=0 exec "./$exe" >/dev/null 2>&1) &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = "200" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "measure-cold-start: the handler exited before answering" >&2; exit 1; }
    sleep 0.01
  done
  ready=$(date +%s%N)
  curl -s -o /dev/null "http://127.0.0.1:$port/api/health"
  health=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$store"
  ready_all+=($(((ready - start) / 1000000))); health_all+=($(((health - start) / 1000000)))
  echo "run $run: ready ${ready_all[-1]} ms, first /api/health answer ${health_all[-1]} ms"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "median of $runs: ready $(median "${ready_all[@]}") ms, first /api/health answer $(median "${health_all[@]}") ms"
