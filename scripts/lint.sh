#!/usr/bin/env bash
# The static checks (`npm run lint`; scripts/test.sh runs them before the jest tiers):
#   eslint            eslint.config.mjs: typescript-eslint (type-aware), max-len 140 outside tests
#   prettier --check  .prettierrc.json (`npm run format` rewrites)
#   depcruise         .dependency-cruiser.cjs: the layering (domain pure, apps -> composition/application ->
#                     adapters -> domain, never backwards) and no import cycles
#   typecheck         tsc --noEmit -p tsconfig.json: the tests too (the build leaves them out, and jest's
#                     transpiler does not check types)
# All four run even if one fails; the exit code is non-zero if any failed, and the last line says which.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=()
check() {
  local name="$1"; shift
  echo "[lint] $name"
  "$@" || failed+=("$name")
}
check eslint npx --no-install eslint --max-warnings 0 .
check prettier npx --no-install prettier --check --log-level warn .
check depcruise npx --no-install depcruise --config .dependency-cruiser.cjs apps libs scripts test bench
check typecheck npx --no-install tsc --noEmit -p tsconfig.json

if (( ${#failed[@]} )); then echo "[lint] FAILED: ${failed[*]}"; exit 1; fi
echo "[lint] ok"
