# azd prepackage hook of service `api` on Windows: the same steps as package-api.sh (see there).
# Note: a zip built on Windows carries no Unix execute bit; prefer deploying from Linux, macOS, WSL or CI.
param(
    [string]$Output = (Join-Path $PSScriptRoot '../../functions/FraudFunctions/bin/azd-publish'),
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$PublishArgs = @()
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$project = Join-Path $root 'functions/FraudFunctions/FraudFunctions.csproj'

if (Test-Path $Output) { Remove-Item $Output -Recurse -Force }
dotnet publish $project -c Release -r linux-x64 --self-contained true -o $Output -p:DebugType=none @PublishArgs
if ($LASTEXITCODE -ne 0) { throw "package-api: dotnet publish failed" }

$hostJson = Join-Path $Output 'host.json'
if (-not (Test-Path $hostJson)) { throw "package-api: $hostJson is missing; the host would start no functions" }
$exe = (Get-Content $hostJson -Raw | ConvertFrom-Json).customHandler.description.defaultExecutablePath
if (-not $exe) { throw "package-api: host.json names no customHandler.description.defaultExecutablePath" }
if (-not (Test-Path (Join-Path $Output $exe))) { throw "package-api: host.json names '$exe' but it was not published" }
$functions = @(Get-ChildItem $Output -Directory | Where-Object { Test-Path (Join-Path $_.FullName 'function.json') }).Count
if ($functions -eq 0) { throw "package-api: no <Function>/function.json in $Output" }
Remove-Item (Join-Path $Output 'local.settings.json') -ErrorAction SilentlyContinue
Write-Host "package-api: $Output holds $exe and $functions functions"
