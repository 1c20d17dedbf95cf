#!/usr/bin/env bash
# The long validation run (issue 7): the 50-iteration kill -9 harness, the API fuzzer at 20,000 requests, the disk-full
# check, the load test stepping up from 50 sandboxes, and the red-team battery when this build has `airlock redteam`.
# Results go to stdout and to artifacts/validate/<time>/ (one log per part). Takes ~28 minutes on 2 cores (no KVM).
#
#   scripts/validate.sh                       everything
#   AIRLOCK_LOAD_STEPS=50,100 AIRLOCK_LOAD_ISOLATION=gvisor scripts/validate.sh
#   AIRLOCK_REDTEAM_TIERS=container scripts/validate.sh      one tier of the battery instead of all three
#   AIRLOCK_FAULT_SEED=1234 AIRLOCK_FUZZ_SEED=99 scripts/validate.sh    replay a run
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
scripts/setup.sh
export AIRLOCK_IMAGES="${AIRLOCK_IMAGES:-/var/lib/airlock/images}"
export AIRLOCK_AGENT="${AIRLOCK_AGENT:-$root/artifacts/agent/airlock-agent}"
export AIRLOCK_FAULT_ITERATIONS="${AIRLOCK_FAULT_ITERATIONS:-50}"
export AIRLOCK_FUZZ_REQUESTS="${AIRLOCK_FUZZ_REQUESTS:-20000}"
export AIRLOCK_LOAD_STEPS="${AIRLOCK_LOAD_STEPS:-50,100,150,200}"
export AIRLOCK_LOAD_SECONDS="${AIRLOCK_LOAD_SECONDS:-20}"
out="$root/artifacts/validate/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
say() { printf 'validate: %s\n' "$*" >&2; }

dotnet build tests/Airlock.Integration.Tests -c Release -v quiet -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
status=0
part() {
  local name="$1" filter="$2"
  say "$name ..."
  local started=$SECONDS
  if dotnet test tests/Airlock.Integration.Tests -c Release --no-build --filter "$filter" --logger "console;verbosity=detailed" >"$out/$name.log" 2>&1; then
    say "$name passed in $((SECONDS - started)) s"
  else
    say "$name FAILED in $((SECONDS - started)) s (log: $out/$name.log)"
    status=1
  fi
  # The harnesses print their findings on lines starting with their name.
  grep -E "^\s*(fault|fuzz|policy fuzz|disk full|load)[: ]" "$out/$name.log" | sed 's/^\s*//' || true
}

part fault-injection "FullyQualifiedName~Resilience.FaultInjectionTests"
part fuzz "FullyQualifiedName~Resilience.ApiFuzzTests|FullyQualifiedName~Resilience.PolicyParserFuzzTests"
part disk-full "FullyQualifiedName~Resilience.DiskFullTests"
part load "FullyQualifiedName~Resilience.LoadTests"

if ./airlock redteam --help >/dev/null 2>&1; then
  say "red-team battery ..."
  # Progress and tables go to stderr (kept in redteam.log), the JSON report with every case's evidence to redteam.json.
  if ./airlock redteam --isolation "${AIRLOCK_REDTEAM_TIERS:-all}" --json >"$out/redteam.json" 2> >(tee "$out/redteam.log" >&2); then
    say "red-team: nothing escaped"
  else
    say "red-team FAILED (exit $?; report: $out/redteam.json)"
    status=1
  fi
else
  say "red-team: this build has no 'airlock redteam' yet; skipped"
fi

say "logs in $out"
exit $status
