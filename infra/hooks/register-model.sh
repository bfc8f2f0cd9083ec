#!/usr/bin/env bash
# azd postdeploy hook of service `api`: when the registry in the deployed store has no model yet,
# trains one and registers it (the first registered version becomes champion), so the new app can
# score as soon as it polls the champion alias. Does nothing when a model exists: a redeploy must
# never replace the champion behind the monitoring loop's back.
#
# Training data: FRAUD_BOOTSTRAP_DATA (challenge-format X.csv) and FRAUD_BOOTSTRAP_LABELS (Y.csv)
# when set, which is what production should use; otherwise generated baskets (a placeholder that
# lets the service start; retrain on real labelled data before trusting its decisions).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
store="${FRAUD_STORE_URL:-}"
[ -n "$store" ] || { echo "register-model: FRAUD_STORE_URL is not set (run azd provision first)" >&2; exit 1; }
rows="${FRAUD_BOOTSTRAP_ROWS:-20000}"
seed="${FRAUD_BOOTSTRAP_SEED:-1}"

# Built once, then run directly: dotnet run would rebuild on every call.
cli_dir="$(mktemp -d)"
trap 'rm -rf "$cli_dir"' EXIT
# FRAUD_CLI_PUBLISH_ARGS: extra publish arguments (the tests pass --artifacts-path to keep the clone's obj/ untouched).
# shellcheck disable=SC2086
if ! build_log=$(dotnet publish "$root/training/Fraud.Cli/Fraud.Cli.csproj" -c Release -o "$cli_dir/bin" --nologo ${FRAUD_CLI_PUBLISH_ARGS:-} 2>&1); then
  printf '%s\n' "$build_log" >&2
  echo "register-model: building the fraud CLI failed" >&2
  exit 1
fi
fraud() { "$cli_dir/bin/fraud" "$@"; }

# The deploying principal has data roles only with DEPLOYER_DATA_ACCESS=true (Blob Data Contributor on models and
# runs, infra/app/rbac.bicep); a new grant can take minutes to reach the data plane, so retry then instead of failing
# the whole `azd up`. Without it, try twice (the user may have granted a role by hand) and say what to do.
if [ "${DEPLOYER_DATA_ACCESS:-false}" = "true" ]; then default_attempts=10; else default_attempts=2; fi
attempts="${FRAUD_REGISTRY_ATTEMPTS:-$default_attempts}"
listing=""
attempt=1
until listing=$(fraud registry list --store "$store" --json 2>"$cli_dir/err"); do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "register-model: cannot read the registry at $store: $(cat "$cli_dir/err")" >&2
    if [ "${DEPLOYER_DATA_ACCESS:-false}" != "true" ]; then
      echo "register-model: you have no data role on the store (least privilege). For a first deployment run" >&2
      echo "  azd env set DEPLOYER_DATA_ACCESS true && azd provision && azd hooks run postdeploy" >&2
      echo "or grant yourself Storage Blob Data Contributor on the models and runs containers (docs/operations.md, Least privilege)." >&2
    fi
    exit 1
  fi
  echo "register-model: registry not readable yet (role assignments propagate); retrying in 30 s"
  sleep 30
  attempt=$((attempt + 1))
done

# `registry list --json` prints {"model": ..., "versions": [...], "champion": ...}; no versions means a fresh store.
if ! printf '%s' "$listing" | tr -d '[:space:]' | grep -q '"versions":\[\]'; then
  echo "register-model: the registry already has a model; leaving the champion as it is"
  exit 0
fi

if [ -n "${FRAUD_BOOTSTRAP_DATA:-}" ]; then
  data="$FRAUD_BOOTSTRAP_DATA"
  labels="${FRAUD_BOOTSTRAP_LABELS:-}"
  echo "register-model: training the first model on $data"
else
  echo "register-model: no FRAUD_BOOTSTRAP_DATA; training the first model on $rows generated baskets (seed $seed)"
  fraud generate --rows "$rows" --seed "$seed" --output "$cli_dir/data"
  data="$cli_dir/data/X.csv"
  labels="$cli_dir/data/Y.csv"
fi

args=(train --data "$data" --output "$cli_dir/model" --seed "$seed" --register --store "$store")
[ -n "$labels" ] && args+=(--labels "$labels")
fraud "${args[@]}"
echo "register-model: registered the first model; the app picks up the champion within Fraud__ModelPollSeconds"
