#!/usr/bin/env bash
# A single-node search engine on 127.0.0.1, built from Maven Central jars (search-engine/README.md).
#
#   scripts/search-engine.sh start    # build if needed, start in the background, wait for green
#   scripts/search-engine.sh status   # what answers on the port, and the JVM's pid and RSS
#   scripts/search-engine.sh stop     # SIGTERM (SIGKILL after a timeout), free port, delete data
#
# Environment:
#   SEARCH_ENGINE_KIND     opensearch (default), elasticsearch (8.x) or elasticsearch9 (9.x)
#   SEARCH_ENGINE_PORT     HTTP port (default 9200); transport uses PORT+100..PORT+199
#   SEARCH_ENGINE_HEAP     JVM heap, -Xms and -Xmx (default 512m)
#   SEARCH_ENGINE_TIMEOUT  seconds to wait for a green cluster (default 120)
#   SEARCH_ENGINE_JAVA     the java binary (default: Java 17 from Debian; Temurin 25 for elasticsearch9)
#   SEARCH_ENGINE_KEEP_DATA  1: `start` after a crash reuses the dead node's data directory (a
#                          restart that keeps its indexes) instead of starting an empty node
#
# State (pid, data directory path, node log) lives in var/search-engine/KIND-PORT/; the node's
# data and logs live in a temporary directory that `stop` removes. No security: loopback only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIND="${SEARCH_ENGINE_KIND:-opensearch}"
PORT="${SEARCH_ENGINE_PORT:-9200}"
HEAP="${SEARCH_ENGINE_HEAP:-512m}"
TIMEOUT="${SEARCH_ENGINE_TIMEOUT:-120}"
STOP_TIMEOUT=30
BASE="http://127.0.0.1:$PORT"
STATE="$ROOT/var/search-engine/$KIND-$PORT"
ENGINE_DIR="$ROOT/search-engine/$KIND"

log() { printf 'search-engine: %s\n' "$*"; }
die() { printf 'search-engine: ERROR: %s\n' "$*" >&2; exit 1; }

case "$PORT" in '' | *[!0-9]*) die "SEARCH_ENGINE_PORT must be a number, not '$PORT'" ;; esac

MAIN_CLASS=journal.searchengine.LocalNode
CLASSES="$ENGINE_DIR/target/classes"
DEFAULT_JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
MIN_JAVA=17
case "$KIND" in
  opensearch)
    # Everything on the class path; the modules are classpath plugins of the launcher.
    launch_args() { LAUNCH=(-cp "$CLASSES:$ENGINE_DIR/target/lib/*" "$MAIN_CLASS" "$1" "$PORT"); }
    ;;
  elasticsearch | elasticsearch9)
    # The server on the module path (as the distribution runs it); transport-netty4 is a module
    # bundle the launcher lays out from target/modules/. See search-engine/README.md for what is
    # missing from this node (no analysis-common, painless, mapper-extras, reindex, GET /).
    launch_args() {
      LAUNCH=(-p "$ENGINE_DIR/target/lib" --add-modules ALL-MODULE-PATH -cp "$CLASSES" "$MAIN_CLASS"
        "$1" "$PORT" "$ENGINE_DIR/target/modules/transport-netty4")
    }
    ;;
  *) die "SEARCH_ENGINE_KIND must be opensearch, elasticsearch or elasticsearch9, not '$KIND'" ;;
esac
if [ "$KIND" = elasticsearch9 ]; then
  # Elasticsearch 9 needs Java 21+. Debian here has 17 only, so the default is the Temurin 25 JDK
  # in /usr/lib/jvm (not a Debian package: need_tools cannot install it, only say so).
  DEFAULT_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  MIN_JAVA=21
fi
JAVA="${SEARCH_ENGINE_JAVA:-$DEFAULT_JAVA}"
[ -x "$JAVA" ] || JAVA="$(command -v java || true)"

answers() { curl -s -o /dev/null --max-time 2 "$BASE/" ; }
port_bound() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
version_line() {
  local root
  root="$(curl -s --max-time 5 "$BASE/")"
  if printf '%s' "$root" | jq -e '.version.number' >/dev/null 2>&1; then
    printf '%s' "$root" | jq -r '"\(.version.distribution // "elasticsearch") \(.version.number) (Lucene \(.version.lucene_version), cluster \(.cluster_name), node \(.name))"'
  else
    # Elasticsearch 8 built here has no rest-root module, so no GET /: ask the nodes API.
    curl -s --max-time 5 "$BASE/_nodes/_local?filter_path=cluster_name,nodes.*.version,nodes.*.name,nodes.*.build_flavor" \
      | jq -r '.cluster_name as $c | .nodes[] | "elasticsearch \(.version) (cluster \($c), node \(.name); no GET / here)"' 2>/dev/null \
      || printf '%s\n' "$root"
  fi
}
# The pid from the state file, if that process is still our JVM.
our_pid() {
  local pid
  [ -f "$STATE/pid" ] || return 1
  pid="$(cat "$STATE/pid")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$CLASSES" \
    && echo "$pid"
}
# The node's temporary data directory, named by `start`; only a path of that shape is removed.
remove_home() {
  local home
  [ -f "$STATE/home" ] || return 0
  home="$(cat "$STATE/home")"
  case "$home" in
    /*/search-engine-"$KIND"-"$PORT".??????) rm -rf "$home" && log "removed $home" ;;
    *) log "not removing unexpected data path '$home'" ;;
  esac
  rm -f "$STATE/home"
}
rss_mb() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%.0f MB", $1 / 1024}'; }

need_tools() {
  local missing=""
  command -v curl >/dev/null 2>&1 || missing="$missing curl"
  command -v jq >/dev/null 2>&1 || missing="$missing jq"
  command -v mvn >/dev/null 2>&1 || missing="$missing maven"
  [ -n "$JAVA" ] && [ -x "$JAVA" ] || [ "$MIN_JAVA" != 17 ] || missing="$missing openjdk-17-jdk-headless"
  if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || die "missing:$missing (apt-get install$missing, as root)"
    log "installing from Debian:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    JAVA="${SEARCH_ENGINE_JAVA:-$DEFAULT_JAVA}"
    [ -x "$JAVA" ] || JAVA="$(command -v java)"
  fi
  local major
  major="$(java_major)"
  [ "${major:-0}" -ge "$MIN_JAVA" ] \
    || die "$KIND needs Java $MIN_JAVA+, and '${JAVA:-java}' is ${major:-missing} (set SEARCH_ENGINE_JAVA to a Java $MIN_JAVA+ binary)"
}
# The feature release of $JAVA (17, 21, 25, ...), from `java -version`.
java_major() {
  [ -n "$JAVA" ] && [ -x "$JAVA" ] || return 0
  "$JAVA" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}'
}

# Compile the launcher and copy the runtime jars to target/lib when the POM or a source changed.
build() {
  local stamp="$ENGINE_DIR/target/.built"
  if [ -f "$stamp" ] && [ -d "$ENGINE_DIR/target/lib" ] \
    && [ -z "$(find "$ENGINE_DIR/pom.xml" "$ENGINE_DIR/src" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  log "building $KIND from Maven Central jars (search-engine/$KIND/pom.xml)"
  local java_home
  java_home="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
  rm -rf "$ENGINE_DIR/target/lib" "$ENGINE_DIR/target/modules"
  mkdir -p "$STATE"
  if ! (cd "$ENGINE_DIR" && JAVA_HOME="$java_home" mvn -q -B package) >"$STATE/build.log" 2>&1; then
    tail -n 40 "$STATE/build.log" >&2
    die "the Maven build of $KIND failed (${STATE#"$ROOT/"}/build.log)"
  fi
  touch "$stamp"
}

start() {
  if answers; then
    log "already answering on $BASE: $(version_line)"
    return 0
  fi
  need_tools
  mkdir -p "$STATE"
  local pid
  if pid="$(our_pid)"; then
    log "$KIND (pid $pid) is starting already; waiting for it"
  else
    port_bound && die "port $PORT is taken by something that is not an HTTP search engine"
    build
    local home=""
    if [ "${SEARCH_ENGINE_KEEP_DATA:-0}" = 1 ] && [ -f "$STATE/home" ] && [ -d "$(cat "$STATE/home")" ]; then
      home="$(cat "$STATE/home")" # the data of a JVM that died without `stop`, kept on purpose
      log "keeping the data of the previous node in $home"
    else
      remove_home # a leftover from a JVM that died without `stop`
      home="$(mktemp -d "${TMPDIR:-/tmp}/search-engine-$KIND-$PORT.XXXXXX")"
      echo "$home" >"$STATE/home"
    fi
    log "starting $KIND on $BASE (heap $HEAP, data in $home, log in ${STATE#"$ROOT/"}/node.log)"
    date +%s.%N >"$STATE/started_at"
    launch_args "$home"
    nohup "$JAVA" "-Xms$HEAP" "-Xmx$HEAP" -XX:+ExitOnOutOfMemoryError \
      -Djava.io.tmpdir="$home" -Dfile.encoding=UTF-8 \
      -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true \
      "${LAUNCH[@]}" >"$STATE/node.log" 2>&1 </dev/null &
    echo $! >"$STATE/pid"
    pid="$(cat "$STATE/pid")"
  fi

  local deadline=$((SECONDS + TIMEOUT)) code
  while :; do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
      "$BASE/_cluster/health?wait_for_status=green&timeout=1s" || true)"
    [ "$code" = 200 ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "----- last lines of ${STATE#"$ROOT/"}/node.log -----" >&2
      tail -n 40 "$STATE/node.log" >&2 || true
      rm -f "$STATE/pid"
      remove_home >/dev/null
      die "$KIND exited before answering on $BASE"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "----- last lines of ${STATE#"$ROOT/"}/node.log -----" >&2
      tail -n 40 "$STATE/node.log" >&2 || true
      die "$KIND (pid $pid) did not reach a green cluster on $BASE within ${TIMEOUT}s; it is still running (scripts/search-engine.sh stop ends it)"
    fi
    sleep 1
  done
  # One node can never assign a replica: give every index 0 replicas unless it asks for some, so
  # the cluster stays green. OpenSearch 2.19 reads cluster.default_number_of_replicas at index
  # creation from the persistent/transient settings only (a node setting is ignored);
  # Elasticsearch has no such setting, so a lowest-order legacy template does it there.
  local replicas_path='/_cluster/settings'
  local replicas_body='{"persistent": {"cluster.default_number_of_replicas": 0}}'
  if [ "$KIND" != opensearch ]; then
    replicas_path='/_template/single-node-replicas'
    replicas_body='{"index_patterns": ["*"], "order": -1000, "settings": {"number_of_replicas": 0}}'
  fi
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT "$BASE$replicas_path" \
    -H 'Content-Type: application/json' -d "$replicas_body")" = 200 ] \
    || die "could not set the default of 0 replicas on $BASE$replicas_path"
  local took=""
  [ -f "$STATE/started_at" ] && took="$(awk -v s="$(cat "$STATE/started_at")" -v e="$(date +%s.%N)" 'BEGIN{printf " in %.1f s", e - s}')"
  log "green$took; pid $pid, RSS $(rss_mb "$pid")"
  log "$(version_line)"
}

stop() {
  local pid
  if pid="$(our_pid)"; then
    log "stopping $KIND (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
  elif answers; then
    die "something answers on $BASE but it was not started by this script (no live pid in ${STATE#"$ROOT/"}/pid); not stopping it"
  else
    log "$KIND is not running on port $PORT"
  fi
  local deadline=$((SECONDS + 30))
  while port_bound; do
    [ "$SECONDS" -lt "$deadline" ] || die "port $PORT is still taken 30 s after the JVM ended"
    sleep 0.5
  done
  remove_home
  rm -f "$STATE/pid" "$STATE/home" "$STATE/started_at"
}

status() {
  local pid=""
  pid="$(our_pid || true)"
  if answers; then
    log "answering on $BASE: $(version_line)"
    curl -s --max-time 5 "$BASE/_cluster/health" | jq -r '"search-engine: cluster \(.status), \(.number_of_nodes) node(s), \(.active_shards) active shard(s)"' 2>/dev/null || true
    if [ -n "$pid" ]; then
      log "pid $pid, RSS $(rss_mb "$pid"), data in $(cat "$STATE/home" 2>/dev/null)"
    else
      log "(not started by this script)"
    fi
  else
    if [ -n "$pid" ]; then log "pid $pid is running but $BASE does not answer (yet)"; else log "$KIND is not running on port $PORT"; fi
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status   (SEARCH_ENGINE_KIND, SEARCH_ENGINE_PORT: see the header)" >&2; exit 2 ;;
esac
