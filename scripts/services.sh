#!/usr/bin/env bash
# Real Redis and real Apache Kafka (single-node KRaft) for the integration / e2e tests.
#
#   scripts/services.sh start        install what is missing, start (or reuse) Redis + Kafka, wait until ready
#   scripts/services.sh stop         stop only what `start` started, remove its temp dirs
#   scripts/services.sh env          print `export REDIS_URL_TEST=... KAFKA_BROKERS_TEST=...` lines (eval them)
#   scripts/services.sh status       print what is running; exit 0 only if both services are up
#   scripts/services.sh stop-kafka   stop only the Kafka broker, keep its data dir (simulates a broker outage)
#   scripts/services.sh start-kafka  start the Kafka broker again on the same data dir and wait until ready
#   scripts/services.sh kafka-pid    print the pid of the Kafka broker started by this script
#   scripts/services.sh chromium     install Debian's chromium (for the browser tier) unless /usr/bin/chromium exists
#   scripts/services.sh start-cluster  start (or reuse, or revive a node of) a 3-node Redis Cluster, wait for cluster_state:ok
#   scripts/services.sh stop-cluster   stop the Redis Cluster nodes `start-cluster` started and remove their data
#   scripts/services.sh status-cluster print the cluster's state; exit 0 only if every node says cluster_state:ok
#
# Environment (defaults): REDIS_PORT=6390 KAFKA_PORT=9192 KAFKA_CONTROLLER_PORT=9193
#   REDIS_START_TIMEOUT=30 KAFKA_START_TIMEOUT=120 KAFKA_STOP_TIMEOUT=30 (seconds), KAFKA_HEAP=512m
#   REDIS_CLUSTER_PORTS=7390,7391,7392 (the cluster's nodes, masters without replicas; data in .cache/services/redis-cluster)
#
# Redis comes from Debian's redis-server package (apt-get, sudo only if not root). Kafka comes from Maven
# Central jars listed in scripts/kafka/pom.xml, cached in .cache/kafka/lib (git-ignored). What was started is
# recorded in .cache/services/state.env so `stop` / `stop-kafka` know what they own. Chromium (browser tier) comes
# from Debian's chromium package the same way: browser downloads (npx playwright install) are not possible here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# CS_CACHE_DIR: the tree whose services these are, when this script runs from a copy of it (scripts/test.sh
# runs the suite a second time, on Node 24, in .cache/node24/tree; its tests stop and start this Kafka).
CACHE_DIR="${CS_CACHE_DIR:-$ROOT/.cache}"
STATE_DIR="$CACHE_DIR/services"
STATE_FILE="$STATE_DIR/state.env"
KAFKA_POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_LIB="$CACHE_DIR/kafka/lib"
KAFKA_LOG4J="$ROOT/scripts/kafka/log4j.properties"
KAFKA_PROBE="$ROOT/scripts/kafka/probe.js"

REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
CLUSTER_STATE_FILE="$STATE_DIR/cluster.env"
CLUSTER_DATA="$STATE_DIR/redis-cluster"

log() { echo "[services] $*" >&2; }
die() { echo "[services] ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- state ----------------------------------
# State keys (shell-sourceable, values never contain spaces):
STATE_KEYS=(REDIS_PORT REDIS_STARTED REDIS_PID REDIS_DIR
            KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_STARTED KAFKA_PID KAFKA_DIR KAFKA_CLUSTER_ID)

load_state() {
  REDIS_STARTED=0 REDIS_PID="" REDIS_DIR=""
  KAFKA_STARTED=0 KAFKA_PID="" KAFKA_DIR="" KAFKA_CLUSTER_ID=""
  local env_redis_port="${REDIS_PORT:-}" env_kafka_port="${KAFKA_PORT:-}" env_ctl_port="${KAFKA_CONTROLLER_PORT:-}"
  REDIS_PORT="" KAFKA_PORT="" KAFKA_CONTROLLER_PORT=""
  if [[ -f "$STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$STATE_FILE"
  fi
  # A recorded port wins while the state file exists (the services live there); otherwise env, then defaults.
  REDIS_PORT="${REDIS_PORT:-${env_redis_port:-6390}}"
  KAFKA_PORT="${KAFKA_PORT:-${env_kafka_port:-9192}}"
  KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-${env_ctl_port:-9193}}"
}

save_state() {
  mkdir -p "$STATE_DIR"
  local tmp="$STATE_FILE.tmp.$$" k
  {
    echo "# written by scripts/services.sh on $(date -u +%FT%TZ) -- do not edit while services run"
    for k in "${STATE_KEYS[@]}"; do printf '%s=%q\n' "$k" "${!k}"; done
  } >"$tmp"
  mv -f "$tmp" "$STATE_FILE"
}

with_lock() {
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE_DIR/.lock"
    flock -w 300 9 || die "could not lock $STATE_DIR/.lock"
  fi
}

# ---------------------------------------------------------------- helpers --------------------------------
pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# the pid is alive AND its command line mentions $2 (guards against pid reuse after a reboot / crash)
pid_is() {
  pid_alive "$1" || return 1
  [[ -r "/proc/$1/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_ping() {
  local port="$1" reply=""
  if command -v redis-cli >/dev/null 2>&1; then
    reply="$(timeout 3 redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)"
  else
    reply="$(timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"' && printf "PING\r\n" >&3 && IFS= read -r -t 2 l <&3 && echo "$l"' 2>/dev/null || true)"
    reply="${reply%$'\r'}"
    reply="${reply#+}"
  fi
  [[ "$reply" == "PONG" ]]
}

SUDO=""
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get is not available; please install: $*"
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo; please install: $*"
    SUDO="sudo"
  fi
  if [[ "$APT_UPDATED" -eq 0 ]]; then
    log "apt-get update (once, to install: $*)..."
    $SUDO apt-get update -qq >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}

fmt_secs() { local s="$1"; if (( s >= 60 )); then echo "$((s / 60))m$((s % 60))s"; else echo "${s}s"; fi; }

# ---------------------------------------------------------------- redis ----------------------------------
start_redis() {
  if [[ "$REDIS_STARTED" == 1 ]] && pid_is "$REDIS_PID" redis-server && redis_ping "$REDIS_PORT"; then
    log "Redis already running on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID, started by this script)"
    return 0
  fi
  if [[ "$REDIS_STARTED" == 1 ]]; then cleanup_redis_dir; fi
  if redis_ping "$REDIS_PORT"; then
    log "Redis: reusing the server already answering PING on 127.0.0.1:$REDIS_PORT (will not stop it)"
    REDIS_STARTED=0 REDIS_PID="" REDIS_DIR=""
    save_state
    return 0
  fi
  if tcp_open "$REDIS_PORT"; then
    die "port $REDIS_PORT is in use by something that is not Redis (set REDIS_PORT to another port)"
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-server
  fi

  local t0=$SECONDS dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/cs-test-redis.XXXXXX")"
  REDIS_STARTED=1 REDIS_DIR="$dir" REDIS_PID=""
  save_state
  log "starting Redis on 127.0.0.1:$REDIS_PORT (dir $dir)"
  if ! redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >"$dir/redis.out" 2>&1 9>&-; then
    cat "$dir/redis.out" >&2 || true
    fail_redis "redis-server refused to start"
  fi
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  while ! redis_ping "$REDIS_PORT"; do
    (( SECONDS < deadline )) || fail_redis "Redis did not answer PING within ${REDIS_START_TIMEOUT}s"
    sleep 0.2
  done
  REDIS_PID="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  save_state
  log "Redis ready on 127.0.0.1:$REDIS_PORT in $(fmt_secs $((SECONDS - t0))) (pid ${REDIS_PID:-?})"
}

fail_redis() {
  echo "[services] ERROR: $1" >&2
  if [[ -f "$REDIS_DIR/redis.log" ]]; then
    echo "[services] --- tail of $REDIS_DIR/redis.log ---" >&2
    tail -n 40 "$REDIS_DIR/redis.log" >&2 || true
  fi
  exit 1
}

stop_redis() {
  if [[ "$REDIS_STARTED" != 1 ]]; then
    [[ -n "$REDIS_PORT" ]] && redis_ping "$REDIS_PORT" && log "Redis on :$REDIS_PORT was reused, leaving it running"
    return 0
  fi
  if [[ -z "$REDIS_PID" && -f "$REDIS_DIR/redis.pid" ]]; then REDIS_PID="$(cat "$REDIS_DIR/redis.pid")"; fi
  if pid_is "$REDIS_PID" redis-server; then
    log "stopping Redis (pid $REDIS_PID)"
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while pid_alive "$REDIS_PID" && (( SECONDS < deadline )); do sleep 0.1; done
    if pid_alive "$REDIS_PID"; then kill -KILL "$REDIS_PID" 2>/dev/null || true; fi
  fi
  cleanup_redis_dir
}

cleanup_redis_dir() {
  if [[ -n "$REDIS_DIR" && -d "$REDIS_DIR" && "$REDIS_DIR" == */cs-test-redis.* ]]; then rm -rf "$REDIS_DIR"; fi
  REDIS_STARTED=0 REDIS_PID="" REDIS_DIR=""
}

# ---------------------------------------------------------------- kafka ----------------------------------
ensure_java() {
  if ! command -v java >/dev/null 2>&1; then apt_install openjdk-17-jre-headless; fi
}

ensure_kafka_jars() {
  local want have=""
  want="$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"
  [[ -f "$KAFKA_LIB/.complete" ]] && have="$(cat "$KAFKA_LIB/.complete")"
  if [[ "$want" == "$have" ]] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
  local t0=$SECONDS
  log "fetching Kafka jars from Maven Central (first run only)..."
  rm -rf "$KAFKA_LIB"
  mkdir -p "$KAFKA_LIB"
  if ! mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIB" >"$CACHE_DIR/kafka/mvn.log" 2>&1; then
    tail -n 40 "$CACHE_DIR/kafka/mvn.log" >&2 || true
    rm -rf "$KAFKA_LIB"
    die "mvn could not fetch the Kafka jars (see above; full log $CACHE_DIR/kafka/mvn.log)"
  fi
  compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null || die "mvn finished but no kafka_2.13 jar in $KAFKA_LIB"
  echo "$want" >"$KAFKA_LIB/.complete"
  log "Kafka jars cached in ${KAFKA_LIB#"$ROOT/"} ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars, $(fmt_secs $((SECONDS - t0))))"
}

kafka_java() { java -cp "$KAFKA_LIB/*" "$@"; }

# 0 = ready, 1 = not ready
kafka_probe() {
  local port="$1" rc=0
  if command -v node >/dev/null 2>&1; then
    node "$KAFKA_PROBE" "127.0.0.1:$port" >/dev/null 2>&1 || rc=$?
    if [[ $rc -ne 3 ]]; then return $rc; fi
  fi
  # Fallback when kafkajs is not installed yet: port open + (for our own broker) the startup line in its log.
  tcp_open "$port" || return 1
  if [[ -n "${KAFKA_DIR:-}" && -f "$KAFKA_DIR/logs/server.log" && "${KAFKA_STARTED:-0}" == 1 ]]; then
    grep -q 'Kafka Server started' "$KAFKA_DIR/logs/server.log"
  fi
}

write_kafka_config() {
  local dir="$1"
  mkdir -p "$dir/data" "$dir/logs"
  cat >"$dir/server.properties" <<EOF
# single-node KRaft broker+controller for tests (written by scripts/services.sh)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# fewer internal partitions => first consumer group / transaction starts faster on a test broker
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
EOF
}

launch_kafka() { # uses KAFKA_DIR
  local logs="$KAFKA_DIR/logs"
  mkdir -p "$logs"
  # 9>&- : do not leak the lock fd (see with_lock) into the long-running broker.
  # setsid: own session, so a Ctrl-C in the caller's terminal does not reach the broker (stop handles it)
  nohup setsid java "-Xmx$KAFKA_HEAP" -Xms128m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j.configuration=file:$KAFKA_LOG4J" "-Dkafka.logs.dir=$logs" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties" >>"$logs/kafka.out" 2>&1 </dev/null 9>&- &
  KAFKA_PID=$!
  KAFKA_STARTED=1
  save_state
}

kafka_log_tail() {
  local f
  for f in "$KAFKA_DIR/logs/kafka.out" "$KAFKA_DIR/logs/server.log"; do
    if [[ -s "$f" ]]; then
      echo "[services] --- tail of $f ---" >&2
      tail -n 40 "$f" >&2 || true
    fi
  done
}

wait_kafka() { # $1 = start time (SECONDS)
  local t0="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ! kafka_probe "$KAFKA_PORT"; do
    if ! pid_alive "$KAFKA_PID"; then
      echo "[services] ERROR: Kafka broker (pid $KAFKA_PID) exited during startup" >&2
      kafka_log_tail
      KAFKA_PID=""
      save_state
      exit 1
    fi
    if (( SECONDS >= deadline )); then
      echo "[services] ERROR: Kafka did not become ready on 127.0.0.1:$KAFKA_PORT within ${KAFKA_START_TIMEOUT}s" >&2
      kafka_log_tail
      kill_kafka_pid
      exit 1
    fi
    sleep 0.5
  done
  log "Kafka ready on 127.0.0.1:$KAFKA_PORT in $(fmt_secs $((SECONDS - t0))) (pid $KAFKA_PID, data ${KAFKA_DIR})"
}

start_kafka() { # $1 = "restart" when called from start-kafka (must reuse the existing data dir)
  local mode="${1:-start}"
  if [[ "$KAFKA_STARTED" == 1 ]] && pid_is "$KAFKA_PID" kafka.Kafka; then
    if kafka_probe "$KAFKA_PORT"; then
      log "Kafka already running on 127.0.0.1:$KAFKA_PORT (pid $KAFKA_PID, started by this script)"
      return 0
    fi
    # started but not ready yet (e.g. a parallel start) -> just wait for it
    wait_kafka "$SECONDS"
    return 0
  fi
  if [[ "$KAFKA_STARTED" != 1 || -z "$KAFKA_DIR" || ! -f "$KAFKA_DIR/server.properties" ]]; then
    [[ "$mode" == restart ]] && die "no Kafka data dir recorded in $STATE_FILE; run \`scripts/services.sh start\` first"
    KAFKA_STARTED=0 KAFKA_PID="" KAFKA_DIR=""
    if kafka_probe "$KAFKA_PORT"; then
      log "Kafka: reusing the broker already answering on 127.0.0.1:$KAFKA_PORT (will not stop it)"
      save_state
      return 0
    fi
  fi
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    tcp_open "$p" && die "port $p is in use by something that is not a ready Kafka broker (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done
  ensure_java
  ensure_kafka_jars

  local t0=$SECONDS
  if [[ "$KAFKA_STARTED" == 1 && -n "$KAFKA_DIR" && -f "$KAFKA_DIR/server.properties" ]]; then
    log "starting Kafka broker again on its existing data dir $KAFKA_DIR"
  else
    KAFKA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cs-test-kafka.XXXXXX")"
    KAFKA_STARTED=1 KAFKA_PID=""
    save_state
    write_kafka_config "$KAFKA_DIR"
    KAFKA_CLUSTER_ID="$(kafka_java kafka.tools.StorageTool random-uuid 2>"$KAFKA_DIR/logs/storage-tool.out" | tail -n 1)"
    if [[ -z "$KAFKA_CLUSTER_ID" ]]; then
      cat "$KAFKA_DIR/logs/storage-tool.out" >&2 || true
      die "kafka.tools.StorageTool random-uuid failed"
    fi
    if ! kafka_java kafka.tools.StorageTool format -t "$KAFKA_CLUSTER_ID" -c "$KAFKA_DIR/server.properties" \
        >>"$KAFKA_DIR/logs/storage-tool.out" 2>&1; then
      cat "$KAFKA_DIR/logs/storage-tool.out" >&2 || true
      die "kafka.tools.StorageTool format failed"
    fi
    save_state
    log "starting Kafka 4.4 (KRaft) on 127.0.0.1:$KAFKA_PORT, controller :$KAFKA_CONTROLLER_PORT (dir $KAFKA_DIR)"
  fi
  launch_kafka
  wait_kafka "$t0"
}

kill_kafka_pid() {
  if pid_is "$KAFKA_PID" kafka.Kafka; then
    kill -TERM "$KAFKA_PID" 2>/dev/null || true
    local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
    while pid_alive "$KAFKA_PID" && (( SECONDS < deadline )); do sleep 0.2; done
    if pid_alive "$KAFKA_PID"; then
      log "Kafka (pid $KAFKA_PID) still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$KAFKA_PID" 2>/dev/null || true
      while pid_alive "$KAFKA_PID"; do sleep 0.1; done
    fi
  fi
  KAFKA_PID=""
  save_state
}

stop_kafka_process() { # keeps the data dir
  if [[ "$KAFKA_STARTED" != 1 ]]; then
    return 1
  fi
  if pid_is "$KAFKA_PID" kafka.Kafka; then
    local t0=$SECONDS
    log "stopping Kafka broker (pid $KAFKA_PID)"
    kill_kafka_pid
    log "Kafka stopped in $(fmt_secs $((SECONDS - t0)))"
  else
    KAFKA_PID=""
    save_state
  fi
}

stop_kafka_all() {
  if [[ "$KAFKA_STARTED" != 1 ]]; then
    [[ -n "$KAFKA_PORT" ]] && tcp_open "$KAFKA_PORT" && log "Kafka on :$KAFKA_PORT was reused, leaving it running"
    return 0
  fi
  stop_kafka_process || true
  if [[ -n "$KAFKA_DIR" && -d "$KAFKA_DIR" && "$KAFKA_DIR" == */cs-test-kafka.* ]]; then rm -rf "$KAFKA_DIR"; fi
  KAFKA_STARTED=0 KAFKA_PID="" KAFKA_DIR="" KAFKA_CLUSTER_ID=""
}

# ---------------------------------------------------------------- redis cluster --------------------------
# Three masters (no replicas) on REDIS_CLUSTER_PORTS, joined with `redis-cli --cluster create`: the cluster the
# `cluster` tier of scripts/test.sh runs the validity index and the production e2e against. Each node keeps its
# nodes.conf in its own dir, so a node that was stopped (a test shuts the one owning the index's slot down) comes
# back by `start-cluster` with its id and slots, but empty (no persistence): as after a crash without data.
# What was started is recorded in $CLUSTER_STATE_FILE (CLUSTER_PORTS, CLUSTER_STARTED).
load_cluster_state() {
  CLUSTER_PORTS="" CLUSTER_STARTED=0
  local env_ports="${REDIS_CLUSTER_PORTS:-}"
  if [[ -f "$CLUSTER_STATE_FILE" ]]; then
    # shellcheck disable=SC1090
    source "$CLUSTER_STATE_FILE"
  fi
  CLUSTER_PORTS="${CLUSTER_PORTS:-${env_ports:-7390,7391,7392}}"
  [[ "$CLUSTER_PORTS" =~ ^[0-9]{1,5}(,[0-9]{1,5}){2,}$ ]] || die "REDIS_CLUSTER_PORTS must be three or more ports separated by commas"
}

save_cluster_state() {
  mkdir -p "$STATE_DIR"
  printf '# written by scripts/services.sh -- do not edit while the cluster runs\nCLUSTER_PORTS=%q\nCLUSTER_STARTED=%q\n' \
    "$CLUSTER_PORTS" "$CLUSTER_STARTED" >"$CLUSTER_STATE_FILE.tmp.$$"
  mv -f "$CLUSTER_STATE_FILE.tmp.$$" "$CLUSTER_STATE_FILE"
}

cluster_ports() { tr ',' ' ' <<<"$CLUSTER_PORTS"; }
cluster_nodes_env() { local p out=""; for p in $(cluster_ports); do out+="${out:+,}127.0.0.1:$p"; done; echo "$out"; }
cluster_node_pid() { cat "$CLUSTER_DATA/$1/redis.pid" 2>/dev/null || true; }
# ok = the node says cluster_state:ok and flags no node as failing (fail, or fail? = suspected): a node that was
# down keeps a FAIL flag on the others for twice the node timeout after it is back, the cluster being down meanwhile
cluster_node_ok() {
  [[ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | grep '^cluster_state:')" == cluster_state:ok ]] \
    && ! timeout 3 redis-cli -h 127.0.0.1 -p "$1" cluster nodes 2>/dev/null | awk '{print $3}' | grep -q fail
}

start_cluster_node() { # $1 = port; reuses the node's dir (and so its nodes.conf) when there is one
  local port="$1" dir="$CLUSTER_DATA/$1"
  mkdir -p "$dir"
  rm -f "$dir/redis.pid"
  # 9>&- : do not leak the lock fd into the daemon
  if ! redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 2000 --save "" --appendonly no \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >"$dir/redis.out" 2>&1 9>&-; then
    cat "$dir/redis.out" >&2 || true
    die "redis-server refused to start on :$port (cluster node)"
  fi
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  while ! redis_ping "$port"; do
    if (( SECONDS >= deadline )); then tail -n 20 "$dir/redis.log" >&2 || true; die "cluster node :$port did not answer PING within ${REDIS_START_TIMEOUT}s"; fi
    sleep 0.1
  done
}

start_cluster() {
  local t0=$SECONDS port
  if [[ "$CLUSTER_STARTED" != 1 ]]; then
    for port in $(cluster_ports); do
      tcp_open "$port" && die "port $port is in use, and not by a cluster node this script started (set REDIS_CLUSTER_PORTS)"
    done
    rm -rf "$CLUSTER_DATA"
  fi
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then apt_install redis-server; fi
  local created=1
  [[ -f "$CLUSTER_DATA/.created" ]] || created=0
  CLUSTER_STARTED=1
  save_cluster_state
  for port in $(cluster_ports); do
    if pid_is "$(cluster_node_pid "$port")" redis-server && redis_ping "$port"; then continue; fi
    tcp_open "$port" && die "port $port is in use by something that is not this cluster's node"
    log "starting Redis Cluster node on 127.0.0.1:$port (dir $CLUSTER_DATA/$port)"
    start_cluster_node "$port"
  done
  if [[ "$created" == 0 ]]; then
    local nodes=() out
    for port in $(cluster_ports); do nodes+=("127.0.0.1:$port"); done
    if ! out="$(redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes 2>&1)"; then
      echo "$out" >&2
      die "redis-cli --cluster create failed"
    fi
    touch "$CLUSTER_DATA/.created"
  fi
  local deadline=$((SECONDS + REDIS_START_TIMEOUT)) all
  while :; do
    all=1
    for port in $(cluster_ports); do cluster_node_ok "$port" || { all=0; break; }; done
    [[ "$all" == 1 ]] && break
    (( SECONDS < deadline )) || die "the Redis Cluster did not reach cluster_state:ok within ${REDIS_START_TIMEOUT}s"
    sleep 0.2
  done
  log "Redis Cluster ready in $(fmt_secs $((SECONDS - t0))): REDIS_CLUSTER_NODES_TEST=$(cluster_nodes_env)"
}

stop_cluster() {
  if [[ "$CLUSTER_STARTED" != 1 ]]; then return 0; fi
  local port pid
  for port in $(cluster_ports); do
    pid="$(cluster_node_pid "$port")"
    if pid_is "$pid" redis-server; then
      kill -TERM "$pid" 2>/dev/null || true
      local deadline=$((SECONDS + 10))
      while pid_alive "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
      if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
  done
  rm -rf "$CLUSTER_DATA" "$CLUSTER_STATE_FILE"
  CLUSTER_STARTED=0
  log "Redis Cluster stopped"
}

# ---------------------------------------------------------------- chromium -------------------------------
# The browser tier (test/browser) drives this binary with playwright-core (CHROMIUM_PATH overrides it).
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
ensure_chromium() {
  if [[ ! -x "$CHROMIUM_PATH" ]]; then
    [[ "$CHROMIUM_PATH" == /usr/bin/chromium ]] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
    local t0=$SECONDS
    apt_install chromium
    [[ -x "$CHROMIUM_PATH" ]] || die "apt-get install chromium left no $CHROMIUM_PATH"
    log "chromium installed in $(fmt_secs $((SECONDS - t0)))"
  fi
  # the Debian wrapper prints a harmless shell warning on some kernels; keep only the version line
  log "$("$CHROMIUM_PATH" --version 2>/dev/null | head -n 1) at $CHROMIUM_PATH"
}

# ---------------------------------------------------------------- commands -------------------------------
cmd="${1:-}"
case "$cmd" in
  start)
    with_lock
    load_state
    t0=$SECONDS
    start_redis
    start_kafka
    log "services ready in $(fmt_secs $((SECONDS - t0))): REDIS_URL_TEST=redis://127.0.0.1:$REDIS_PORT KAFKA_BROKERS_TEST=127.0.0.1:$KAFKA_PORT"
    ;;
  stop)
    with_lock
    load_cluster_state
    stop_cluster
    load_state
    if [[ ! -f "$STATE_FILE" ]]; then log "nothing to stop (no $STATE_FILE)"; exit 0; fi
    stop_kafka_all
    stop_redis
    rm -f "$STATE_FILE"
    log "stopped"
    ;;
  start-cluster)
    with_lock
    load_cluster_state
    start_cluster
    ;;
  stop-cluster)
    with_lock
    load_cluster_state
    stop_cluster
    ;;
  status-cluster)
    load_cluster_state
    ok=0
    for port in $(cluster_ports); do
      if cluster_node_ok "$port"; then echo "redis cluster node 127.0.0.1:$port: cluster_state:ok"; else echo "redis cluster node 127.0.0.1:$port: down or not ok"; ok=1; fi
    done
    exit $ok
    ;;
  start-kafka)
    with_lock
    load_state
    start_kafka restart
    ;;
  stop-kafka)
    with_lock
    load_state
    stop_kafka_process || die "the Kafka broker on :$KAFKA_PORT was not started by this script; refusing to stop it"
    ;;
  chromium)
    ensure_chromium
    ;;
  kafka-pid)
    load_state
    if [[ "$KAFKA_STARTED" == 1 ]] && pid_is "$KAFKA_PID" kafka.Kafka; then echo "$KAFKA_PID"; else exit 1; fi
    ;;
  env)
    load_state
    echo "export REDIS_URL_TEST=redis://127.0.0.1:$REDIS_PORT"
    echo "export KAFKA_BROKERS_TEST=127.0.0.1:$KAFKA_PORT"
    load_cluster_state
    echo "export REDIS_CLUSTER_NODES_TEST=$(cluster_nodes_env)"
    ;;
  status)
    load_state
    ok=0
    if redis_ping "$REDIS_PORT"; then
      echo "redis: up on 127.0.0.1:$REDIS_PORT ($([[ "$REDIS_STARTED" == 1 ]] && echo "started by this script, pid $REDIS_PID" || echo reused))"
    else
      echo "redis: down (127.0.0.1:$REDIS_PORT)"; ok=1
    fi
    if kafka_probe "$KAFKA_PORT"; then
      echo "kafka: up on 127.0.0.1:$KAFKA_PORT ($([[ "$KAFKA_STARTED" == 1 ]] && echo "started by this script, pid $KAFKA_PID, dir $KAFKA_DIR" || echo reused))"
    else
      echo "kafka: down (127.0.0.1:$KAFKA_PORT)"; ok=1
    fi
    exit $ok
    ;;
  *)
    sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
    [[ -z "$cmd" || "$cmd" == -h || "$cmd" == --help || "$cmd" == help ]] || exit 2
    ;;
esac
