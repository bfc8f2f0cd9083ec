# azd postdeploy hook of service `api` on Windows: the same steps as register-model.sh (see there).
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$store = $env:FRAUD_STORE_URL
if (-not $store) { throw "register-model: FRAUD_STORE_URL is not set (run azd provision first)" }
$rows = if ($env:FRAUD_BOOTSTRAP_ROWS) { $env:FRAUD_BOOTSTRAP_ROWS } else { '20000' }
$seed = if ($env:FRAUD_BOOTSTRAP_SEED) { $env:FRAUD_BOOTSTRAP_SEED } else { '1' }

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("fraud-" + [guid]::NewGuid())
try {
    dotnet publish (Join-Path $root 'training/Fraud.Cli/Fraud.Cli.csproj') -c Release -o (Join-Path $work 'bin') --nologo -v quiet | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "register-model: building the CLI failed" }
    $fraud = Join-Path $work 'bin/fraud'

    $listing = $null
    foreach ($attempt in 1..10) {
        $listing = & $fraud registry list --store $store --json 2>$null
        if ($LASTEXITCODE -eq 0) { break }
        if ($attempt -eq 10) { throw "register-model: cannot read the registry at $store" }
        Write-Host "register-model: registry not readable yet (role assignments propagate); retrying in 30 s"
        Start-Sleep -Seconds 30
    }
    if (@((($listing -join "`n") | ConvertFrom-Json).versions).Count -gt 0) {
        Write-Host "register-model: the registry already has a model; leaving the champion as it is"
        return
    }

    if ($env:FRAUD_BOOTSTRAP_DATA) {
        $data = $env:FRAUD_BOOTSTRAP_DATA; $labels = $env:FRAUD_BOOTSTRAP_LABELS
    } else {
        Write-Host "register-model: no FRAUD_BOOTSTRAP_DATA; training the first model on $rows generated baskets (seed $seed)"
        & $fraud generate --rows $rows --seed $seed --output (Join-Path $work 'data')
        if ($LASTEXITCODE -ne 0) { throw "register-model: generating baskets failed" }
        $data = Join-Path $work 'data/X.csv'; $labels = Join-Path $work 'data/Y.csv'
    }
    $trainArgs = @('train', '--data', $data, '--output', (Join-Path $work 'model'), '--seed', $seed, '--register', '--store', $store)
    if ($labels) { $trainArgs += @('--labels', $labels) }
    & $fraud @trainArgs
    if ($LASTEXITCODE -ne 0) { throw "register-model: training or registering failed" }
    Write-Host "register-model: registered the first model"
} finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
