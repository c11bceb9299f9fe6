#!/usr/bin/env bash
# A local Neo4j Community server for development and tests, from Maven Central.
#
#   scripts/neo4j.sh start    fetch the server (once), configure it, start it, wait for Bolt
#   scripts/neo4j.sh stop     stop it cleanly
#   scripts/neo4j.sh status   say whether it runs
#   scripts/neo4j.sh env      print the GROUNDGRAPH_NEO4J_* exports:  eval "$(scripts/neo4j.sh env)"
#
# The server listens on loopback only, with authentication on and a password generated at the
# first start (kept in $INSTANCE/password, mode 600). Jars are cached outside the work tree.
#
# Environment (not GROUNDGRAPH_*: groundgraph refuses a variable with its prefix that is not
# one of its settings, so these would break every later command in the shell):
#   NEO4J_VERSION           Neo4j version (default: the one in scripts/neo4j/pom.xml)
#   NEO4J_SERVER_CACHE      where jars are cached (default ~/.cache/groundgraph/neo4j)
#   NEO4J_SERVER_INSTANCE   config, data, logs and password (default $CACHE/instance)
#   NEO4J_SERVER_BOLT_PORT  Bolt port (default 7687); the HTTP port is NEO4J_SERVER_HTTP_PORT (7474)
#   NEO4J_SERVER_HEAP       JVM heap (default 1g)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

version=${NEO4J_VERSION:-$(sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$here/neo4j/pom.xml")}
cache=${NEO4J_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/groundgraph/neo4j}
instance=${NEO4J_SERVER_INSTANCE:-$cache/instance}
bolt_port=${NEO4J_SERVER_BOLT_PORT:-7687}
http_port=${NEO4J_SERVER_HTTP_PORT:-7474}
heap=${NEO4J_SERVER_HEAP:-1g}
lib="$cache/$version/lib"
pidfile="$instance/run/neo4j.pid"

die() { echo "neo4j.sh: $*" >&2; exit 1; }

require_tools() {
    command -v java >/dev/null || die "Java is missing: install a JDK 17 or 21 (Debian: apt-get install openjdk-17-jre-headless)"
    local major
    major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    [ "${major:-0}" -ge 17 ] || die "Neo4j 5 needs Java 17 or 21, found Java ${major:-unknown}: install openjdk-17-jre-headless"
    if [ ! -d "$lib" ]; then
        command -v mvn >/dev/null || die "Maven is missing: install it (Debian: apt-get install maven) to fetch Neo4j from Maven Central"
    fi
}

fetch() {
    if [ -f "$lib/neo4j-$version.jar" ] && compgen -G "$lib/neo4j-browser-*.jar" >/dev/null; then
        return
    fi
    echo "fetching Neo4j $version from Maven Central into $lib ..." >&2
    local work
    work=$(mktemp -d)
    cp "$here/neo4j/pom.xml" "$work/pom.xml"
    if ! (cd "$work" && mvn -q -B -Dneo4j.version="$version" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$work/lib" > "$work/maven.log" 2>&1); then
        cat "$work/maven.log" >&2
        die "Maven could not fetch org.neo4j:neo4j:$version (log above)"
    fi
    mkdir -p "$cache/$version"
    rm -rf "$lib"
    mv "$work/lib" "$lib"
    rm -rf "$work"
}

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

bolt_answers() {
    (exec 3<>"/dev/tcp/127.0.0.1/$bolt_port") 2>/dev/null
}

configure() {
    mkdir -p "$instance"/{conf,data,logs,run,import,plugins}
    cat > "$instance/conf/neo4j.conf" <<CONF
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$bolt_port
server.bolt.advertised_address=127.0.0.1:$bolt_port
server.http.listen_address=127.0.0.1:$http_port
server.https.enabled=false
dbms.security.auth_enabled=true
server.directories.data=$instance/data
server.directories.logs=$instance/logs
server.directories.run=$instance/run
server.directories.import=$instance/import
server.directories.plugins=$instance/plugins
server.memory.pagecache.size=256m
dbms.usage_report.enabled=false
CONF
    if [ ! -f "$instance/password" ]; then
        (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$instance/password")
        # The password goes in through an argument file (picocli's @file), so it never
        # appears on a command line that `ps` shows.
        NEO4J_HOME="$instance" NEO4J_CONF="$instance/conf" java -cp "$lib/*" org.neo4j.cli.AdminTool \
            dbms set-initial-password "@$instance/password" >/dev/null \
            || die "could not set the initial password (see above)"
    fi
}

start() {
    if running; then
        echo "Neo4j already running (pid $(cat "$pidfile")) on bolt://127.0.0.1:$bolt_port" >&2
        return
    fi
    bolt_answers && die "port $bolt_port is taken by another process; set NEO4J_SERVER_BOLT_PORT"
    require_tools
    fetch
    configure
    NEO4J_HOME="$instance" NEO4J_CONF="$instance/conf" nohup java -Xms256m -Xmx"$heap" \
        -cp "$lib/*" org.neo4j.server.CommunityEntryPoint \
        --home-dir="$instance" --config-dir="$instance/conf" \
        > "$instance/logs/console.log" 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 180); do
        if bolt_answers; then
            echo "Neo4j $version running (pid $(cat "$pidfile")) on bolt://127.0.0.1:$bolt_port" >&2
            return
        fi
        running || { tail -n 30 "$instance/logs/console.log" >&2; die "Neo4j exited during start"; }
        sleep 1
    done
    stop
    die "Neo4j did not answer on port $bolt_port within 180 s; see $instance/logs"
}

stop() {
    if ! running; then
        echo "Neo4j is not running" >&2
        rm -f "$pidfile"
        return
    fi
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; echo "Neo4j stopped" >&2; return; }
        sleep 1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "Neo4j did not stop within 60 s and was killed" >&2
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if running; then echo "running (pid $(cat "$pidfile")) on bolt://127.0.0.1:$bolt_port"
        else echo "stopped"; exit 3; fi ;;
    env)
        [ -f "$instance/password" ] || die "no instance at $instance yet: run '$0 start' first"
        echo "export GROUNDGRAPH_GRAPH_BACKEND=neo4j"
        echo "export GROUNDGRAPH_NEO4J_URI=bolt://127.0.0.1:$bolt_port"
        echo "export GROUNDGRAPH_NEO4J_USER=neo4j"
        echo "export GROUNDGRAPH_NEO4J_PASSWORD=$(cat "$instance/password")" ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
