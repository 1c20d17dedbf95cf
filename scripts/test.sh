#!/usr/bin/env bash
# The whole test suite: installs prerequisites, builds with warnings as errors, runs every test project
# against real runc sandboxes, and ends with one summary line "N passed, N failed, N skipped".
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$here"
scripts/setup.sh
# Tests share one image cache (the default image takes ~40 s to build); it is rebuilt when missing.
export AIRLOCK_IMAGES="${AIRLOCK_IMAGES:-/var/lib/airlock/images}"
export AIRLOCK_AGENT="$here/artifacts/agent/airlock-agent"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Airlock.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per test assembly.
awk '/(Passed|Failed)! +- Failed: /{ gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
