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
# Build the images here, where nothing times out, rather than inside a test (a sandbox's first run builds its image):
# the default image "python" (~1.5 min the first time), which the microvm tier's tests need and skip without, and
# "python-data" (matplotlib, ~5 min), which the code-interpreter and MCP tests need inside their HTTP calls.
for image in python python-data; do
  AIRLOCK_AGENT="$AIRLOCK_AGENT" dotnet "$here/artifacts/bin/airlock.dll" run --image "$image" --isolation container -- true \
    || { echo "could not build the $image image (see above)" >&2; exit 1; }
done
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Airlock.slnx -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?
# The failed tests' names again, just above the summary, so that the tail of the output says what failed.
grep -E '^ +Failed [A-Za-z_]' "$log" | sed 's/^ */FAILED: /' || true
# Skipped tests too: a skip hides a test that did not run (root, an image, a kernel missing), which "passed" would not say.
grep -E '^ +Skipped [A-Za-z_]' "$log" | sed 's/^ */SKIPPED: /' || true
# With console verbosity "normal", dotnet test ends each test assembly with a block of
# "Total tests: T", "Passed: P", "Failed: F", "Skipped: S" lines: add them up over the assemblies.
awk '/^ +(Passed|Failed|Skipped): +[0-9]+ *$/ { n[$1] += $2 }
     END { printf "%d passed, %d failed, %d skipped\n", n["Passed:"], n["Failed:"], n["Skipped:"] }' "$log"
if grep -q "error CS\|error MSB\|error NU" "$log"; then
  echo "the build failed (see the errors above)" >&2
  status=1
fi
exit $status
