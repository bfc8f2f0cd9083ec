#!/usr/bin/env bash
# azd prepackage hook of service `api` (also used by CI): publishes the custom handler self-contained
# for linux-x64, so the publish folder is the whole function app: the executable named in host.json,
# host.json and one folder per function with its function.json. Flex Consumption runs it as-is
# (runtime `custom`, no .NET on the image).
#
# usage: infra/hooks/package-api.sh [output-dir] [extra dotnet publish arguments...]
# The default output is functions/FraudFunctions/bin/azd-publish, the `dist` of azure.yaml.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
project="$root/functions/FraudFunctions/FraudFunctions.csproj"
out="${1:-$root/functions/FraudFunctions/bin/azd-publish}"
[ $# -gt 0 ] && shift

command -v dotnet >/dev/null || { echo "package-api: the .NET SDK (dotnet) is not on PATH" >&2; exit 1; }

# A stale file from an earlier publish (a renamed function) would be deployed as a ghost function.
rm -rf "$out"
dotnet publish "$project" -c Release -r linux-x64 --self-contained true -o "$out" -p:DebugType=none "$@"

# Fail here, with a message, rather than deploy a package the host cannot start.
[ -f "$out/host.json" ] || { echo "package-api: $out/host.json is missing; the host would start no functions" >&2; exit 1; }
exe=$(sed -n 's/.*"defaultExecutablePath"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$out/host.json")
[ -n "$exe" ] || { echo "package-api: host.json names no customHandler.description.defaultExecutablePath" >&2; exit 1; }
[ -f "$out/$exe" ] || { echo "package-api: host.json names '$exe' but $out/$exe was not published" >&2; exit 1; }
# The zip keeps Unix modes; without the execute bit the host cannot start the handler.
chmod +x "$out/$exe"
functions=$(find "$out" -mindepth 2 -maxdepth 2 -name function.json | wc -l)
[ "$functions" -gt 0 ] || { echo "package-api: no <Function>/function.json in $out" >&2; exit 1; }
# Developer settings never ship (they may hold connection strings).
rm -f "$out/local.settings.json"

echo "package-api: $out holds $exe and $functions functions"
